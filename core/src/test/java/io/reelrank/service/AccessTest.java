package io.reelrank.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.reelrank.service.Access.Action;
import io.reelrank.service.Access.Decision;
import io.reelrank.service.Access.Policy;
import io.reelrank.service.Access.Principal;
import io.reelrank.service.Access.UserKind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The authorization rules, case by case, as the routes will ask them. */
@Tag("unit")
class AccessTest {

    static final Principal ANON = Principal.ANONYMOUS;
    static final Principal USER_7 = Principal.user(7, "0123456789ab");
    static final Principal ADMIN = Principal.admin("ba9876543210");

    static Decision decide(Principal p, Action a, Integer user, UserKind kind) {
        return Access.decide(Policy.DEFAULT, p, a, user, kind);
    }

    @Test
    void aUserKeyReadsAndWritesItsOwnLiveUserOnly() {
        for (Action a : new Action[] {Action.SEARCH_AS_USER, Action.READ_USER, Action.RECOMMEND, Action.RATE, Action.DELETE_USER}) {
            assertEquals(Decision.ALLOW, decide(USER_7, a, 7, UserKind.LIVE), a.name());
            assertEquals(Decision.ALLOW, decide(USER_7, a, 7, UserKind.NEW), a.name());
            assertEquals(new Decision(false, 403, "key 0123456789ab acts for user 7 only, not for user 8"),
                    decide(USER_7, a, 8, UserKind.LIVE), a.name());
        }
    }

    @Test
    void testUsersAndMovieLensUsersAreWrittenByAdminKeysOnly() {
        assertEquals(new Decision(false, 403, "user 7 is a test user (reelrank test-users): only an admin key writes it"),
                decide(USER_7, Action.RATE, 7, UserKind.TEST));
        assertEquals(new Decision(false, 403, "user 7's data comes from the MovieLens files: only an admin key writes it"),
                decide(USER_7, Action.DELETE_USER, 7, UserKind.MOVIELENS));
        // Reading them with their own key is fine; an admin key writes them.
        assertEquals(Decision.ALLOW, decide(USER_7, Action.READ_USER, 7, UserKind.MOVIELENS));
        assertEquals(Decision.ALLOW, decide(ADMIN, Action.RATE, 10001, UserKind.TEST));
        assertEquals(Decision.ALLOW, decide(ADMIN, Action.DELETE_USER, 414, UserKind.MOVIELENS));
    }

    @Test
    void anonymousClientsSearchWithoutAUserAndReadTheCatalogueWhenTheServerAllowsIt() {
        assertEquals(Decision.ALLOW, decide(ANON, Action.SEARCH, null, null));
        assertEquals(Decision.ALLOW, decide(ANON, Action.READ_CATALOG, null, null));
        Policy keysOnly = new Policy(true, false);
        assertEquals(new Decision(false, 401, "this server answers clients with a key only: send Authorization: Bearer "
                + "<key> (reelrank keys create)"), Access.decide(keysOnly, ANON, Action.SEARCH, null, null));
        assertEquals(Decision.ALLOW, Access.decide(keysOnly, USER_7, Action.SEARCH, null, null));
        assertEquals(new Decision(false, 401, "acting for user 10001 needs that user's key or an admin key: send "
                + "Authorization: Bearer <key>"), decide(ANON, Action.SEARCH_AS_USER, 10001, UserKind.TEST));
        assertEquals(401, decide(ANON, Action.RATE, 5, UserKind.NEW).status());
    }

    @Test
    void theUserListHealthDetailsAndKeysNeedAnAdminKey() {
        assertEquals(new Decision(false, 401, "the list of users needs an admin key: send Authorization: Bearer <key>"),
                decide(ANON, Action.LIST_USERS, null, null));
        assertEquals(new Decision(false, 403, "health details needs an admin key; key 0123456789ab is user 7's"),
                decide(USER_7, Action.HEALTH_DETAILS, null, null));
        assertEquals(403, decide(USER_7, Action.MANAGE_KEYS, null, null).status());
        assertEquals(Decision.ALLOW, decide(ADMIN, Action.LIST_USERS, null, null));
    }

    @Test
    void eventsNeedAKeyAndAUserKeyPostsOnlyItsOwnUsersImpressionsAndClicks() {
        assertEquals(new Decision(false, 401, "posting events needs a key (the user's own, or an admin key): send "
                + "Authorization: Bearer <key>"), decide(ANON, Action.POST_EVENTS, null, null));
        assertEquals(Decision.ALLOW, decide(USER_7, Action.POST_EVENTS, null, null));
        assertEquals(Decision.ALLOW, decide(USER_7, Action.RECORD_EVENT, 7, null));
        assertEquals(403, decide(USER_7, Action.RECORD_EVENT, 8, null).status());
        assertEquals(Decision.ALLOW, Access.decide(Policy.DEFAULT, Principal.admin("a"), Action.RECORD_EVENT, 8, null));
    }

    @Test
    void theOpenModeLetsEveryCallerActAsAnAdmin() {
        assertEquals(Decision.ALLOW, Access.decide(Policy.OPEN, ANON, Action.RATE, 414, UserKind.MOVIELENS));
        assertEquals(Decision.ALLOW, Access.decide(Policy.OPEN, USER_7, Action.DELETE_USER, 8, UserKind.LIVE));
    }

    @Test
    void aRequestForAUserMustNameThemAndAUserKeyMustNameItsUser() {
        assertThrows(IllegalArgumentException.class, () -> decide(USER_7, Action.RATE, null, UserKind.LIVE));
        assertThrows(IllegalArgumentException.class, () -> decide(USER_7, Action.RATE, 7, null));
        assertThrows(IllegalArgumentException.class, () -> new Principal(Access.Role.USER, null, "0123456789ab"));
        assertThrows(IllegalArgumentException.class, () -> new Principal(Access.Role.ADMIN, 7, "0123456789ab"));
    }
}
