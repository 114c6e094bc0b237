package dev.simdreg;

import dev.simdreg.internal.Providers;

/** What simdreg is running on. */
public final class Simdreg {

    private Simdreg() {
    }

    /**
     * The active provider, for users and bug reports. Chosen once per JVM at first use: the Vector API
     * kernels when the module jdk.incubator.vector is present, C2 runs and the preferred vector width is
     * at least 128 bits; the scalar kernels otherwise. {@code -Dsimdreg.provider=vector|scalar} and
     * {@code -Dsimdreg.vectorBits=128|256|512} force the choice.
     */
    public static ProviderInfo provider() {
        var kernels = Providers.kernels();
        return new ProviderInfo(kernels.name(), kernels.vectorBits(), Providers.CHOICE.reason());
    }
}
