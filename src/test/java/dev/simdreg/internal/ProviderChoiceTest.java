package dev.simdreg.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProviderChoiceTest {

    private static final ProviderChoice.Jvm AVX512 = new ProviderChoice.Jvm(true, true, 512, 512);

    @Test
    void vectorAtThePreferredWidthByDefault() {
        ProviderChoice choice = ProviderChoice.decide(AVX512, null, null);
        assertTrue(choice.vector());
        assertEquals(512, choice.vectorBits());
        assertFalse(choice.warning());
    }

    @Test
    void scalarWithAHintWhenTheModuleIsMissing() {
        ProviderChoice choice = ProviderChoice.decide(new ProviderChoice.Jvm(false, true, 0, 0), null, null);
        assertFalse(choice.vector());
        assertTrue(choice.warning());
        assertTrue(choice.reason().contains("--add-modules jdk.incubator.vector"), choice.reason());
    }

    @Test
    void forcingVectorWithoutTheModuleFallsBackLoudly() {
        ProviderChoice choice = ProviderChoice.decide(new ProviderChoice.Jvm(false, true, 0, 0), "vector", null);
        assertFalse(choice.vector());
        assertTrue(choice.warning());
    }

    @Test
    void scalarWithoutC2UnlessForced() {
        var noC2 = new ProviderChoice.Jvm(true, false, 512, 512);
        assertFalse(ProviderChoice.decide(noC2, null, null).vector());
        assertTrue(ProviderChoice.decide(noC2, null, null).reason().contains("C2"));
        assertTrue(ProviderChoice.decide(noC2, "vector", null).vector());
    }

    @Test
    void scalarBelow128BitsUnlessForced() {
        var narrow = new ProviderChoice.Jvm(true, true, 64, 64);
        assertFalse(ProviderChoice.decide(narrow, null, null).vector());
        assertTrue(ProviderChoice.decide(narrow, "vector", "128").warning(), "128 > max 64 is ignored, loudly");
    }

    @Test
    void forcedScalar() {
        ProviderChoice choice = ProviderChoice.decide(AVX512, "scalar", "256");
        assertFalse(choice.vector());
        assertEquals(0, choice.vectorBits());
        assertFalse(choice.warning());
    }

    @Test
    void forcedWidths() {
        assertEquals(128, ProviderChoice.decide(AVX512, null, "128").vectorBits());
        assertEquals(256, ProviderChoice.decide(AVX512, "vector", "256").vectorBits());
        assertEquals(512, ProviderChoice.decide(AVX512, null, "512").vectorBits());
    }

    @Test
    void widthsTheMachineLacksOrThatAreNotWidthsAreIgnoredWithAWarning() {
        var avx2 = new ProviderChoice.Jvm(true, true, 256, 256);
        ProviderChoice tooWide = ProviderChoice.decide(avx2, null, "512");
        assertEquals(256, tooWide.vectorBits());
        assertTrue(tooWide.warning());
        ProviderChoice nonsense = ProviderChoice.decide(AVX512, null, "100");
        assertEquals(512, nonsense.vectorBits());
        assertTrue(nonsense.reason().contains("simdreg.vectorBits=100"), nonsense.reason());
    }

    @Test
    void unknownProviderNamesAreIgnoredWithAWarning() {
        ProviderChoice choice = ProviderChoice.decide(AVX512, "gpu", null);
        assertTrue(choice.vector());
        assertTrue(choice.warning());
        assertTrue(choice.reason().contains("simdreg.provider=gpu"), choice.reason());
    }
}
