package io.reelrank.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * MD5 of the movie ids in ascending order, written as decimal text joined by commas: the same bytes
 * PostgreSQL hashes in {@code md5(string_agg(movie_id::text, ',' ORDER BY movie_id))}, so the index
 * and the table can be compared without moving the ids. Feed ids in ascending order.
 */
final class IdChecksum {

    private final MessageDigest md5;
    private boolean first = true;

    IdChecksum() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }

    /** The checksum of {@code ids}, which it sorts in place. */
    static String ofUnsorted(int[] ids) {
        java.util.Arrays.sort(ids);
        IdChecksum c = new IdChecksum();
        for (int id : ids) c.add(id);
        return c.hex();
    }

    void add(int id) {
        if (!first) md5.update((byte) ',');
        first = false;
        md5.update(Integer.toString(id).getBytes(StandardCharsets.US_ASCII));
    }

    String hex() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) md5.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
