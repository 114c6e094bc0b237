package dev.simdreg.internal;

import java.util.Objects;

/**
 * The decision between the vector and the scalar kernels, as a pure function of what the JVM offers
 * and what the system properties ask for, so that every branch can be unit-tested in one JVM.
 *
 * @param vector      whether the Vector API kernels are used
 * @param vectorBits  the vector width in bits when {@code vector}, else 0
 * @param reason      why, in one sentence for the log line and for bug reports
 * @param warning     whether the reason deserves a warning (a slow path the user may not expect, or a
 *                    property that could not be honoured)
 */
public record ProviderChoice(boolean vector, int vectorBits, String reason, boolean warning) {

    /** System property forcing the provider: {@code vector} or {@code scalar}. */
    public static final String PROVIDER_PROPERTY = "simdreg.provider";
    /** System property forcing the vector width: {@code 128}, {@code 256} or {@code 512}. */
    public static final String BITS_PROPERTY = "simdreg.vectorBits";

    /**
     * The widest vectors the kernels use: sixteen floats, the partials of every sum (see {@link SumOrder}),
     * whose order must not depend on the width.
     */
    static final int WIDEST_BITS = 512;

    static final String ENABLE_HINT = "pass --add-modules jdk.incubator.vector to the JVM to enable the vector kernels";

    public ProviderChoice {
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * What the JVM offers.
     *
     * @param vectorModulePresent whether jdk.incubator.vector is in the boot layer
     * @param c2Available         whether the optimizing compiler that intrinsifies the Vector API runs
     * @param preferredBits       the preferred float vector width, or 0 if unknown (module absent)
     * @param maxBits             the widest float vector the hardware supports, or 0 if unknown
     */
    public record Jvm(boolean vectorModulePresent, boolean c2Available, int preferredBits, int maxBits) {
    }

    /**
     * Decides the provider.
     *
     * @param jvm               what the JVM offers
     * @param requestedProvider the value of {@value #PROVIDER_PROPERTY}, or null
     * @param requestedBits     the value of {@value #BITS_PROPERTY}, or null
     */
    public static ProviderChoice decide(Jvm jvm, String requestedProvider, String requestedBits) {
        if (jvm.preferredBits() > WIDEST_BITS || jvm.maxBits() > WIDEST_BITS) {
            jvm = new Jvm(jvm.vectorModulePresent(), jvm.c2Available(), Math.min(jvm.preferredBits(), WIDEST_BITS),
                    Math.min(jvm.maxBits(), WIDEST_BITS));
        }
        if (requestedProvider != null && !requestedProvider.equals("vector") && !requestedProvider.equals("scalar")) {
            ProviderChoice fallback = decide(jvm, null, requestedBits);
            return new ProviderChoice(fallback.vector, fallback.vectorBits,
                    PROVIDER_PROPERTY + "=" + requestedProvider + " is not 'vector' or 'scalar' and was ignored; "
                            + fallback.reason, true);
        }
        if ("scalar".equals(requestedProvider)) {
            return new ProviderChoice(false, 0, "scalar kernels forced by " + PROVIDER_PROPERTY + "=scalar", false);
        }
        boolean forced = "vector".equals(requestedProvider);
        if (!jvm.vectorModulePresent()) {
            return new ProviderChoice(false, 0, "scalar kernels: module jdk.incubator.vector is not present; "
                    + ENABLE_HINT, true);
        }
        if (!jvm.c2Available() && !forced) {
            return new ProviderChoice(false, 0, "scalar kernels: the C2 compiler is not available "
                    + "(-Xint, -XX:TieredStopAtLevel<4 or a JVMCI compiler), so the Vector API would be slow; "
                    + "force with -D" + PROVIDER_PROPERTY + "=vector", true);
        }
        if (jvm.preferredBits() < 128 && !forced) {
            return new ProviderChoice(false, 0, "scalar kernels: the preferred vector width is only "
                    + jvm.preferredBits() + " bits", true);
        }
        if (requestedBits == null) {
            return new ProviderChoice(true, jvm.preferredBits(),
                    "vector kernels at the preferred width of " + jvm.preferredBits() + " bits", false);
        }
        int bits = parseBits(requestedBits);
        if (bits == 0 || bits > jvm.maxBits()) {
            return new ProviderChoice(true, jvm.preferredBits(), BITS_PROPERTY + "=" + requestedBits
                    + " is not one of 128, 256, 512 up to this machine's " + jvm.maxBits()
                    + " bits and was ignored; vector kernels at the preferred width of " + jvm.preferredBits()
                    + " bits", true);
        }
        return new ProviderChoice(true, bits, "vector kernels at " + bits + " bits, forced by "
                + BITS_PROPERTY + "=" + requestedBits, false);
    }

    private static int parseBits(String text) {
        return switch (text.trim()) {
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> 0;
        };
    }
}
