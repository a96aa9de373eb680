package io.reelrank.cli;

import io.reelrank.service.Access;
import io.reelrank.service.Keys;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank keys create | list | revoke}: the API keys the HTTP API accepts ({@link Keys}).
 * {@code create} prints the new key alone on standard output (so {@code KEY=$(reelrank keys create …)}
 * works) and what it is on standard error; it is shown this once, only its hash is stored.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"API keys: `create --user ID` (a key that acts for that user only) or `create --admin`,",
                "`list`, `revoke KEY_ID`. Only a hash of each key is stored; a revoked key fails on every server at "
                        + "once."},
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code keys create --user ID | --admin [--label TEXT]}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Make a key and print it (shown this once). A user key reads and writes only its own user",
                    "(one live key per user); an admin key does anything."})
    static final class Create implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Who who;

        static final class Who {
            @Option(names = "--user", paramLabel = "ID", description = "A key for this user id (a positive integer)")
            Integer user;

            @Option(names = "--admin", description = "An admin key")
            boolean admin;
        }

        @Option(names = "--label", paramLabel = "TEXT", description = "What the key is for, shown by `keys list` "
                + "(1-" + Keys.MAX_LABEL + " characters)")
        String label;

        @Override
        public Integer call() throws Exception {
            if (who.user != null && who.user < 1) throw CliException.badInput("--user must be a positive integer, got "
                    + who.user);
            Keys.Created k;
            try (Keys keys = new Keys(dbOptions.open(), null)) {
                k = keys.create(who.admin ? Access.Role.ADMIN : Access.Role.USER, who.admin ? null : who.user, label);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput(e.getMessage());
            }
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "keys: made %s key %s%s; shown this once (only its hash is stored): send it as "
                    + "Authorization: Bearer <key>%n", k.role() == Access.Role.ADMIN ? "an admin" : "a user",
                    k.keyId(), k.userId() == null ? "" : " for user " + k.userId());
            err.flush();
            spec.commandLine().getOut().println(k.key());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code keys list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List every key, live and revoked (never their secrets).")
    static final class ListKeys implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Override
        public Integer call() throws Exception {
            List<Keys.Listed> all;
            try (Keys keys = new Keys(dbOptions.open(), null)) {
                all = keys.list();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%-12s  %-5s  %10s  %-20s  %-20s  %s%n", "key_id", "role", "user", "created",
                    "revoked", "label");
            for (Keys.Listed k : all) {
                out.printf(Locale.ROOT, "%-12s  %-5s  %10s  %-20s  %-20s  %s%n", k.keyId(),
                        k.role() == Access.Role.ADMIN ? "admin" : "user",
                        k.userId() == null ? "-" : k.userId(), k.created().truncatedTo(ChronoUnit.SECONDS),
                        k.revoked() == null ? "-" : k.revoked().truncatedTo(ChronoUnit.SECONDS), k.label() == null ? ""
                                : k.label());
            }
            out.printf(Locale.ROOT, "%d keys, %d live%n", all.size(), all.stream().filter(k ->
                    k.revoked() == null).count());
            out.flush();
            return 0;
        }
    }

    /** {@code keys revoke KEY_ID}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a key (by its id, or the whole key): every server refuses it from now on.")
    static final class Revoke implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Parameters(index = "0", paramLabel = "KEY_ID",
                description = "The key's id (12 hex digits, as `keys list` shows) or the whole key")
        String key;

        @Override
        public Integer call() throws Exception {
            Keys.Listed k;
            try (Keys keys = new Keys(dbOptions.open(), null)) {
                k = keys.revoke(key);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput(e.getMessage());
            }
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "keys: revoked %s (%s); running servers refuse it at once%n", k.keyId(),
                    k.userId() == null ? "admin" : "user " + k.userId());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
