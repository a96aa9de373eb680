package io.reelrank.service;

/**
 * Who may do what: the authorization rules as one pure function of the caller ({@link Principal},
 * from {@link Keys#authenticate}), the action, the user it concerns and what kind of user that is
 * ({@link Keys#kindOf}), under the server's {@link Policy}. It reads nothing and remembers nothing, so
 * every route asks it the same way and its tests need no server. The HTTP layer answers a refusal
 * with {@link Decision#status} (401: no key or it is needed; 403: this key may not) and
 * {@link Decision#reason}.
 *
 * <p>The rules, with keys required ({@link Policy#keysRequired}):
 * <ul>
 *   <li>an admin key (or {@code REELRANK_API_TOKEN}) may do anything;</li>
 *   <li>a user key acts for its own user only: that user's profile, ratings, recommendations,
 *       personalized searches and deletion; any other user is 403. Its writes (ratings, deletion)
 *       are further refused (403) for the test users and for MovieLens users ({@link UserKind}):
 *       their data belongs to {@code reelrank test-users} and to the MovieLens files, which only
 *       admin keys change;</li>
 *   <li>a search without a user and the catalogue (movies, genres, similar movies) are open to any
 *       key, and to anonymous clients when {@link Policy#anonymousCatalog};</li>
 *   <li>the list of users, health details (URLs, paths) and key management need an admin key.</li>
 * </ul>
 * Without keys required every caller acts as an admin: the open mode of a server for one person on
 * loopback, as before keys existed.
 */
public final class Access {

    private Access() {}

    /** The kinds of caller. */
    public enum Role { ANONYMOUS, USER, ADMIN }

    /**
     * An authenticated caller: anonymous (no key), a user key acting for {@code userId}, or an admin
     * key; {@code keyId} names the key (public; {@code REELRANK_API_TOKEN} for the shared token).
     */
    public record Principal(Role role, Integer userId, String keyId) {
        public static final Principal ANONYMOUS = new Principal(Role.ANONYMOUS, null, null);

        public Principal {
            if (role == null) throw new IllegalArgumentException("role must be given");
            if ((role == Role.USER) != (userId != null)) {
                throw new IllegalArgumentException("a user key, and only a user key, names a user; got " + role + " "
                        + userId);
            }
        }

        public static Principal user(int userId, String keyId) {
            return new Principal(Role.USER, userId, keyId);
        }

        public static Principal admin(String keyId) {
            return new Principal(Role.ADMIN, null, keyId);
        }
    }

    /**
     * What a user id stands for, as far as writing it goes. {@code MOVIELENS}: the user has rows that
     * came from the MovieLens files (a rating with source {@code movielens}, or a tag: tags come only
     * from tags.csv), so a reload replaces their data; {@code TEST}: one of the synthetic test users
     * ({@code test_users}); {@code LIVE}: a user whose data was all written live (API, {@code rate});
     * {@code NEW}: no row of the user anywhere (a key may be made for them before their first rating).
     */
    public enum UserKind { NEW, LIVE, MOVIELENS, TEST }

    /** What a request does. */
    public enum Action {
        /** A search without a user. */
        SEARCH(false, false),
        /** Movies, similar movies, genres. */
        READ_CATALOG(false, false),
        /** A search personalized for a user. */
        SEARCH_AS_USER(true, false),
        /** A user's profile and genre mix. */
        READ_USER(true, false),
        /** A user's recommendations. */
        RECOMMEND(true, false),
        /** Posting a rating for a user. */
        RATE(true, true),
        /** Deleting a user with everything derived from them. */
        DELETE_USER(true, true),
        /** The list of users (the page's picker). */
        LIST_USERS(false, false),
        /** Health with its details (database URL, index path). */
        HEALTH_DETAILS(false, false),
        /** Creating, listing and revoking keys. */
        MANAGE_KEYS(false, false),
        /** Posting a batch of events (impressions, clicks, ratings): any key; each event is then checked. */
        POST_EVENTS(false, false),
        /** One posted impression or click of a user (a rating event is {@link #RATE}). */
        RECORD_EVENT(true, false);

        final boolean forUser;
        final boolean writes;

        Action(boolean forUser, boolean writes) {
            this.forUser = forUser;
            this.writes = writes;
        }

        /** Whether the action concerns one user, named by the request. */
        public boolean forUser() {
            return forUser;
        }
    }

    /**
     * The server's settings: {@code keysRequired} (false: the open mode, every caller acts as an admin)
     * and {@code anonymousCatalog} (whether a client without a key may search without a user and read
     * the catalogue).
     */
    public record Policy(boolean keysRequired, boolean anonymousCatalog) {
        /** Keys required; anonymous clients may search and read the catalogue. */
        public static final Policy DEFAULT = new Policy(true, true);
        /** No keys: anyone may do anything (one person's server on loopback). */
        public static final Policy OPEN = new Policy(false, true);
    }

    /** The answer: allowed, or the HTTP status (401, 403) and why, naming the key and the users involved. */
    public record Decision(boolean allowed, int status, String reason) {
        public static final Decision ALLOW = new Decision(true, 200, null);

        static Decision unauthenticated(String reason) {
            return new Decision(false, 401, reason);
        }

        static Decision forbidden(String reason) {
            return new Decision(false, 403, reason);
        }
    }

    /**
     * Whether {@code p} may do {@code action} under {@code policy}. {@code user} is the user the action
     * concerns (required for {@link Action#forUser} actions, ignored otherwise) and {@code kind} what
     * that user is (needed for writes by a user key; null otherwise).
     */
    public static Decision decide(Policy policy, Principal p, Action action, Integer user, UserKind kind) {
        if (action.forUser && user == null) throw new IllegalArgumentException(action + " needs the user it concerns");
        if (!policy.keysRequired() || p.role() == Role.ADMIN) return Decision.ALLOW;
        boolean anonymous = p.role() == Role.ANONYMOUS;
        switch (action) {
            case SEARCH, READ_CATALOG -> {
                if (anonymous && !policy.anonymousCatalog()) {
                    return Decision.unauthenticated("this server answers clients with a key only: send Authorization: "
                            + "Bearer <key> (reelrank keys create)");
                }
                return Decision.ALLOW;
            }
            case POST_EVENTS -> {
                return anonymous ? Decision.unauthenticated("posting events needs a key (the user's own, or an admin "
                        + "key): send Authorization: Bearer <key>") : Decision.ALLOW;
            }
            case LIST_USERS, HEALTH_DETAILS, MANAGE_KEYS -> {
                String what = switch (action) {
                    case LIST_USERS -> "the list of users";
                    case HEALTH_DETAILS -> "health details";
                    default -> "key management";
                };
                return anonymous ? Decision.unauthenticated(what
                        + " needs an admin key: send Authorization: Bearer <key>")
                        : Decision.forbidden(what + " needs an admin key; key " + p.keyId() + " is user " + p.userId()
                                + "'s");
            }
            default -> {
                // the actions for one user
            }
        }
        if (anonymous) {
            return Decision.unauthenticated("acting for user " + user + " needs that user's key or an admin key: send "
                    + "Authorization: Bearer <key>");
        }
        if (!p.userId().equals(user)) {
            return Decision.forbidden("key " + p.keyId() + " acts for user " + p.userId() + " only, not for user "
                    + user);
        }
        if (action.writes && kind == null) throw new IllegalArgumentException(action
                + " by a user key needs the user's kind");
        if (action.writes && (kind == UserKind.TEST || kind == UserKind.MOVIELENS)) {
            return Decision.forbidden("user " + user + (kind == UserKind.TEST ? " is a test user (reelrank test-users)"
                    : "'s data comes from the MovieLens files") + ": only an admin key writes it");
        }
        return Decision.ALLOW;
    }
}
