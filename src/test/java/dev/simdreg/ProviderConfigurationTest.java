package dev.simdreg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Each Surefire execution says which provider and width it expects; a silent fallback fails the build.
 */
class ProviderConfigurationTest {

    @Test
    void runsOnTheExpectedProviderAndWidth() {
        String expectedProvider = System.getProperty("simdreg.expect.provider");
        String expectedBits = System.getProperty("simdreg.expect.bits");
        assertNotNull(expectedProvider, "the build sets simdreg.expect.provider for every test execution");
        ProviderInfo active = Simdreg.provider();
        assertEquals(expectedProvider, active.name(), active.toString());
        int bits = expectedBits.equals("preferred") ? PreferredWidth.bits() : Integer.parseInt(expectedBits);
        assertEquals(bits, active.vectorBits(), active.toString());
    }

    /** Read only in vector runs, where the module is present. */
    private static final class PreferredWidth {
        static int bits() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
