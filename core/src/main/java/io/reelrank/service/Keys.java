package io.reelrank.service;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API keys: made, listed and revoked by an operator ({@code reelrank keys}), and checked on every
 * request ({@link #authenticate}), which turns a presented key into an {@link Access.Principal}.
 *
 * <p>A key reads {@code rk_<key id>_<secret>}: the key id (12 hex digits, random) is public and finds
 * the key's row; the secret (32 random bytes, base64url) is shown once, when the key is made, and only
 * its SHA-256 is stored ({@code api_keys}, migration V6), so the table does not let anyone act as a
 * user. A secret of 256 random bits needs no slow hash: nobody can guess it from its SHA-256. The
 * presented secret's hash is compared with {@link MessageDigest#isEqual}, always (an unknown id is
 * compared with a hash no secret has), so timing tells nothing of the secret. {@code REELRANK_API_TOKEN}
 * (given to the constructor) keeps working as an admin key, compared the same way. One live key per
 * user (a second is refused until the first is revoked); admin keys are any number, each with a label.
 *
 * <p>A server keeps what it read of keys (and of users' {@link Access.UserKind}) in memory. After
 * {@link #listen} it drops an entry as soon as any process revokes, deletes or makes that key
 * ({@link Changes#KEYS}), or changes the user ({@link Changes#USERS}), and everything when its
 * listening connection comes back; while it is not listening entries expire after the cache's time to
 * live. So a revoked key fails on every server at once. The caller {@link #close}s it.
 */
public final class Keys implements AutoCloseable {

    public static final String PREFIX = "rk_";
    /** The key id {@code REELRANK_API_TOKEN} is known by. */
    public static final String TOKEN_ID = "REELRANK_API_TOKEN";
    /** How long a cached key or user kind is trusted while no notification connection keeps it current. */
    public static final long DEFAULT_CACHE_TTL_MS = 5_000;
    public static final int MAX_LABEL = 100;

    private static final Pattern KEY = Pattern.compile("rk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{12}");

    /** The presented key is malformed, unknown or revoked (401). */
    public static final class InvalidKeyException extends Exception {
        InvalidKeyException(String message) {
            super(message);
        }
    }

    /** A user key is asked for a user who has a live one (one key per user). */
    public static final class KeyExistsException extends IllegalArgumentException {
        KeyExistsException(int userId, String keyId) {
            super("user " + userId + " has a key already (" + keyId + "); revoke it first: reelrank keys revoke "
                    + keyId);
        }
    }

    /** A key just made: {@code key} is the whole key, shown this once. */
    public record Created(String keyId, String key, Access.Role role, Integer userId, String label) {}

    /** A key as {@code keys list} shows it (never its secret). */
    public record Listed(String keyId, Access.Role role, Integer userId, String label, Instant created,
            Instant revoked) {}

    /** A cached key: the stored hash, who it stands for (null: unknown or revoked) and when it was read. */
    private record Entry(byte[] hash, Access.Principal principal, long loadedAt) {}

    private record Kind(Access.UserKind kind, long loadedAt) {}

    private final Database db;
    private final byte[] tokenHash;
    private final long ttlMs;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> keys = new ConcurrentHashMap<>();
    private final Map<Integer, Kind> kinds = new ConcurrentHashMap<>();
    /** Compared with when the id is unknown: no secret hashes to it (it is not a SHA-256 output of anything known). */
    private final byte[] noSecret = new byte[32];
    private volatile Changes.Listener listener;

    /** @param token {@code REELRANK_API_TOKEN}, accepted as an admin key; null when not set */
    public Keys(Database db, String token) {
        this(db, token, DEFAULT_CACHE_TTL_MS);
    }

    public Keys(Database db, String token, long cacheTtlMs) {
        if (token != null && token.isBlank()) throw new IllegalArgumentException("the API token must not be blank");
        if (cacheTtlMs < 0 || cacheTtlMs > 86_400_000) {
            throw new IllegalArgumentException("cache time to live must be in 0-86400000 ms, got " + cacheTtlMs);
        }
        this.db = db;
        this.tokenHash = token == null ? null : sha256(token);
        this.ttlMs = cacheTtlMs;
        random.nextBytes(noSecret);
    }

    /** Makes a key: a user key for {@code userId} (one live key per user), or an admin key ({@code userId} null). */
    public Created create(Access.Role role, Integer userId, String label) throws SQLException {
        if (role == Access.Role.ANONYMOUS) throw new IllegalArgumentException("a key is a user key or an admin key");
        if ((role == Access.Role.USER) != (userId != null)) {
            throw new IllegalArgumentException(role == Access.Role.USER ? "a user key needs --user ID"
                    : "an admin key names no user");
        }
        if (userId != null && userId < 1) throw new IllegalArgumentException("user id must be a positive integer, got "
                + userId);
        if (label != null && (label.isBlank() || label.length() > MAX_LABEL
                || label.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException("label must be 1-" + MAX_LABEL + " printable characters, got '" + label
                    + "'");
        }
        byte[] secretBytes = new byte[32];
        random.nextBytes(secretBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        byte[] idBytes = new byte[6];
        random.nextBytes(idBytes);
        String keyId = HexFormat.of().formatHex(idBytes);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                if (userId != null) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT key_id FROM api_keys WHERE user_id = ? AND revoked_at IS NULL")) {
                        ps.setInt(1, userId);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) throw new KeyExistsException(userId, rs.getString(1));
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (key_id, role, user_id, label, "
                        + "secret_sha256) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, keyId);
                    ps.setString(2, role == Access.Role.USER ? "user" : "admin");
                    if (userId == null) ps.setNull(3, java.sql.Types.INTEGER);
                    else ps.setInt(3, userId);
                    ps.setString(4, label);
                    ps.setBytes(5, sha256(secret));
                    ps.executeUpdate();
                }
                try (Statement st = c.createStatement()) {
                    Changes.keyChanged(st, keyId);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                // Two makers at once: the unique index keeps one live key per user.
                if (e instanceof SQLException s && "23505".equals(s.getSQLState()) && userId != null) {
                    throw new KeyExistsException(userId, "made meanwhile");
                }
                throw e;
            }
        }
        keys.remove(keyId);
        return new Created(keyId, PREFIX + keyId + "_" + secret, role, userId, label);
    }

    /** Every key, live and revoked, oldest first. */
    public List<Listed> list() throws SQLException {
        List<Listed> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT key_id, role, user_id, label, created_at, revoked_at FROM api_keys "
                     + "ORDER BY created_at, key_id")) {
            while (rs.next()) {
                Integer user = (Integer) rs.getObject(3);
                java.sql.Timestamp revoked = rs.getTimestamp(6);
                out.add(new Listed(rs.getString(1), "user".equals(rs.getString(2)) ? Access.Role.USER
                        : Access.Role.ADMIN, user,
                        rs.getString(4), rs.getTimestamp(5).toInstant(), revoked == null ? null : revoked.toInstant()));
            }
        }
        return out;
    }

    /**
     * Revokes a key, given by its id or as the whole key: from the commit on, no server accepts it (every
     * server is notified). Returns the key as listed; throws {@link IllegalArgumentException} for an
     * unknown or already revoked one.
     */
    public Listed revoke(String keyOrId) throws SQLException {
        String keyId = idOf(keyOrId);
        Listed revoked;
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET revoked_at = now() WHERE key_id = ? "
                    + "AND revoked_at IS NULL RETURNING role, user_id, label, created_at, revoked_at")) {
                ps.setString(1, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        throw new IllegalArgumentException("no live key " + keyId + " (reelrank keys list shows them)");
                    }
                    revoked = new Listed(keyId, "user".equals(rs.getString(1)) ? Access.Role.USER : Access.Role.ADMIN,
                            (Integer) rs.getObject(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getTimestamp(5).toInstant());
                }
                try (Statement st = c.createStatement()) {
                    Changes.keyChanged(st, keyId);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        keys.remove(keyId);
        return revoked;
    }

    /**
     * Who presents {@code presented} (the value after {@code Bearer }): {@link Access.Principal#ANONYMOUS}
     * for null; the user or admin the key stands for; {@link InvalidKeyException} for a malformed,
     * unknown or revoked key. The secret is compared in constant time. Reads the key's row at most once
     * per cache lifetime; a cached key keeps working while the database is unreachable.
     */
    public Access.Principal authenticate(String presented) throws InvalidKeyException, SQLException {
        if (presented == null) return Access.Principal.ANONYMOUS;
        byte[] given = sha256(presented);
        if (tokenHash != null && MessageDigest.isEqual(given, tokenHash)) return Access.Principal.admin(TOKEN_ID);
        Matcher m = KEY.matcher(presented);
        if (!m.matches()) {
            throw new InvalidKeyException(
                    "not a reelrank key: expected rk_<12 hex digits>_<43 characters of A-Z a-z 0-9 - _>"
                    + (tokenHash != null ? " or the server's REELRANK_API_TOKEN" : ""));
        }
        String keyId = m.group(1);
        Entry e = cached(keyId);
        boolean same = MessageDigest.isEqual(sha256(m.group(2)), e.hash());
        if (!same || e.principal() == null) throw new InvalidKeyException("unknown or revoked key " + keyId);
        return e.principal();
    }

    private Entry cached(String keyId) throws SQLException {
        long now = System.currentTimeMillis();
        Entry e = keys.get(keyId);
        if (e != null && (listening() || now - e.loadedAt() <= ttlMs)) return e;
        try {
            e = load(keyId, now);
        } catch (SQLException ex) {
            if (e != null && io.reelrank.db.Database.unreachable(ex)) return e; // the one we have, until it is back
            throw ex;
        }
        // An id with no row is not kept: random ids cannot grow the cache, each costs one lookup by key.
        if (e.hash() != noSecret) keys.put(keyId, e);
        return e;
    }

    /**
     * The id of the live key {@code presented} is, when this process has it in memory already
     * ({@link #TOKEN_ID} for {@code REELRANK_API_TOKEN}); null otherwise. Never reads the database, so a
     * caller may use it before a request is admitted (the per-client limits charge a known key's own
     * share, anything else the caller's address).
     */
    public String knownKeyId(String presented) {
        if (presented == null) return null;
        byte[] given = sha256(presented);
        if (tokenHash != null && MessageDigest.isEqual(given, tokenHash)) return TOKEN_ID;
        Matcher m = KEY.matcher(presented);
        if (!m.matches()) return null;
        Entry e = keys.get(m.group(1));
        if (e == null || e.principal() == null || !MessageDigest.isEqual(sha256(m.group(2)), e.hash())) return null;
        return m.group(1);
    }

    private Entry load(String keyId, long now) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT role, user_id, secret_sha256, revoked_at IS NOT NULL FROM api_keys WHERE key_id = ?")) {
            ps.setString(1, keyId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return new Entry(noSecret, null, now);
                byte[] hash = rs.getBytes(3);
                if (rs.getBoolean(4)) return new Entry(hash, null, now);
                return new Entry(hash, "user".equals(rs.getString(1)) ? Access.Principal.user(rs.getInt(2), keyId)
                        : Access.Principal.admin(keyId), now);
            }
        }
    }

    /**
     * What user {@code userId} is ({@link Access.UserKind}), for the write rules: read once and cached
     * like keys (dropped on the user's change notifications and on reloads).
     */
    public Access.UserKind kindOf(int userId) throws SQLException {
        long now = System.currentTimeMillis();
        Kind k = kinds.get(userId);
        if (k != null && (listening() || now - k.loadedAt() <= ttlMs)) return k.kind();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT "
                + "EXISTS (SELECT 1 FROM test_users WHERE user_id = ?), "
                + "EXISTS (SELECT 1 FROM ratings WHERE user_id = ? AND source = '" + RatingSource.MOVIELENS.value()
                        + "') "
                + "OR EXISTS (SELECT 1 FROM tags WHERE user_id = ?), "
                + "EXISTS (SELECT 1 FROM users WHERE user_id = ?) "
                + "OR EXISTS (SELECT 1 FROM ratings WHERE user_id = ?)")) {
            for (int i = 1; i <= 5; i++) ps.setInt(i, userId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Access.UserKind kind = rs.getBoolean(1) ? Access.UserKind.TEST : rs.getBoolean(2)
                        ? Access.UserKind.MOVIELENS
                        : rs.getBoolean(3) ? Access.UserKind.LIVE : Access.UserKind.NEW;
                kinds.put(userId, new Kind(kind, now));
                return kind;
            }
        }
    }

    /** Follows key and user changes from every process (see the class comment); idempotent. */
    public synchronized void listen() {
        if (listener != null) return;
        listener = new Changes.Listener(db, List.of(Changes.KEYS, Changes.USERS), (channel, payload) -> {
            if (channel == null || Changes.ALL.equals(payload)) {
                // (Re)connected, or everything changed: anything cached may be stale.
                if (channel == null || Changes.KEYS.equals(channel)) keys.clear();
                kinds.clear();
            } else if (Changes.KEYS.equals(channel)) {
                keys.remove(payload);
            } else {
                try {
                    kinds.remove(Integer.parseInt(payload));
                } catch (NumberFormatException e) {
                    kinds.clear();
                }
            }
        });
    }

    /** Whether cached keys are kept current by notifications right now. */
    public boolean listening() {
        Changes.Listener l = listener;
        return l != null && l.connected();
    }

    /**
     * Waits until every key and user change committed before the call has been applied to this cache
     * (see {@link Changes.Listener#awaitSeen}): a caller that made a key a moment ago and must not have
     * its notification drop the key from the cache later. Needs {@link #listen}.
     */
    public void awaitSeen(long timeoutMs) throws SQLException, InterruptedException {
        Changes.Listener l = listener;
        if (l == null) throw new IllegalStateException("awaitSeen needs listen() first");
        l.awaitSeen(timeoutMs);
    }

    /** How many (re)connections of the listener have been caught up on (0 before {@link #listen}). */
    public int catchUps() {
        Changes.Listener l = listener;
        return l == null ? 0 : l.catchUps();
    }

    /** The key id of a whole key, or the id itself; refuses anything else. */
    static String idOf(String keyOrId) {
        if (keyOrId == null) throw new IllegalArgumentException("give a key id (12 hex digits) or a whole key");
        Matcher m = KEY.matcher(keyOrId);
        if (m.matches()) return m.group(1);
        if (KEY_ID.matcher(keyOrId).matches()) return keyOrId;
        throw new IllegalArgumentException("not a key id (12 hex digits, as reelrank keys list shows) nor a key: '"
                + (keyOrId.length() > 20 ? keyOrId.substring(0, 20) + "…" : keyOrId) + "'");
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Changes.Listener l = listener;
        if (l != null) l.close();
    }
}
