package io.reelrank.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class MessagesTest {

    @Test
    void keepsTheFirstLineOfAMessageWithoutItsBlanks() {
        assertEquals("ERROR: relation \"movies\" does not exist",
                Messages.firstLine("ERROR: relation \"movies\" does not exist\n  Position: 15\n"));
        assertEquals("Encountered \"<EOF>\" at line 1, column 6.",
                Messages.firstLine(" Encountered \"<EOF>\" at line 1, column 6.\r\n"
                        + "Was expecting one of:\n    <TERM> ..."));
    }

    @Test
    void keepsAOneLineMessageWhole() {
        assertEquals("expected ']' at position 3", Messages.firstLine("expected ']' at position 3"));
    }

    @Test
    void givesAnEmptyTextForNoMessage() {
        assertEquals("", Messages.firstLine(null));
        assertEquals("", Messages.firstLine("\nsecond line"));
    }
}
