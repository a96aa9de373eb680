package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** The grid converters: what each accepts, and that picocli refuses the rest while it parses, naming the option. */
@Tag("unit")
class GridTest {

    @Test
    void aListOrARangeBecomesSortedDistinctNumbers() {
        assertEquals(List.of(0.5, 1.0, 2.0), new Grid.NonNegative().convert("2,0.5,1,2").values());
        assertArrayEquals(new double[] {0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, new Grid.Unit().convert("0.4:0.9:0.1").array(),
                0);
        assertEquals(List.of(64.0), new Grid.Rank().convert("64").values());
    }

    @Test
    void eachConverterRefusesWhatItsOptionCannotTake() {
        assertEquals("values must be in [0, 1], got 1.5",
                assertThrows(TypeConversionException.class, () -> new Grid.Unit().convert("0,1.5")).getMessage());
        assertEquals("values must be > 0, got 0.0",
                assertThrows(TypeConversionException.class, () -> new Grid.Positive().convert("0:1:0.5")).getMessage());
        assertEquals("values must be whole numbers, got 8.5",
                assertThrows(TypeConversionException.class, () -> new Grid.Rank().convert("8.5")).getMessage());
        assertEquals("values must be in [1, 1000], got 0",
                assertThrows(TypeConversionException.class, () -> new Grid.Iterations().convert("0")).getMessage());
        assertEquals("values must be in [0, 5], got 6",
                assertThrows(TypeConversionException.class, () -> new Grid.Stars().convert("6")).getMessage());
        assertEquals("needs at least one value (a value, a list 0.5,1,2 or a range from:to:step), got ''",
                assertThrows(TypeConversionException.class, () -> new Grid.NonNegative().convert("")).getMessage());
    }

    @Test
    void theCommandReceivesNumbersAndABadValueIsAParseError() {
        EvalCommand eval = new EvalCommand();
        new CommandLine(eval).parseArgs("--alpha", "0.3:0.5:0.1", "--ease-lambda", "100,500");
        assertEquals(List.of(0.3, 0.4, 0.5), eval.alphas.values());
        assertEquals(List.of(100.0, 500.0), eval.easeLambda.values());
        assertEquals(List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), eval.baselinePopularity.values(),
                "a default goes through the converter too");
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> new CommandLine(new EvalCommand()).parseArgs("--collaborative", "0.5,x"));
        assertEquals("Invalid value for option '--collaborative': values must be finite numbers (a value, a list "
                + "0.5,1,2 or a range from:to:step), got 'x'", e.getMessage());
    }

    @Test
    void modelOptionsBuiltOutsidePicocliHoldTheDefaultGrid() {
        ModelOptions o = new ModelOptions();
        assertEquals(List.of(0.5, 1.0, 2.0), o.alpha.values());
        assertEquals(3, o.grid().size());
    }
}
