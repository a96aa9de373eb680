package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.model.ItemVectors;
import java.sql.SQLException;

/** Loads what the towers need for the commands, with the error a user can act on when it is missing. */
public final class Models {

    private Models() {}

    /** The centered item vectors; fails with the command to run when no movie has an embedding. */
    public static ItemVectors items(Database db) throws SQLException {
        ItemVectors items = ItemVectors.load(db, true);
        if (items.size() == 0) {
            throw new CliException(1, "no movie has an embedding yet: run `reelrank embed --load` first");
        }
        return items;
    }
}
