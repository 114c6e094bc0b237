package dev.simdreg.internal;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.simdreg.internal.vector.VectorProvider;

import java.lang.management.ManagementFactory;

/**
 * Chooses the kernels once per JVM and says so in one log line. {@link #CHOICE} is decided before
 * {@link #KERNELS} is built, so the vector package can read its width from it in static initializers.
 */
public final class Providers {

    private static final System.Logger LOG = System.getLogger("dev.simdreg");
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** The decision, with its reason. */
    public static final ProviderChoice CHOICE = decide();

    private Providers() {
    }

    /** The active kernels, resolved on first use. */
    public static Kernels kernels() {
        return Active.KERNELS;
    }

    /** Holder: built on first use, after {@link #CHOICE}. */
    private static final class Active {
        static final Kernels KERNELS = CHOICE.vector() ? VectorProvider.kernels() : Kernels.scalar();
    }

    private static ProviderChoice decide() {
        var module = ModuleLayer.boot().findModule(VECTOR_MODULE);
        module.ifPresent(Providers.class.getModule()::addReads);
        ProviderChoice.Jvm jvm = module.isPresent()
                ? new ProviderChoice.Jvm(true, c2Available(), VectorProvider.preferredBits(), VectorProvider.maxBits())
                : new ProviderChoice.Jvm(false, c2Available(), 0, 0);
        ProviderChoice choice = ProviderChoice.decide(jvm, System.getProperty(ProviderChoice.PROVIDER_PROPERTY),
                System.getProperty(ProviderChoice.BITS_PROPERTY));
        LOG.log(choice.warning() ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "simdreg: " + choice.reason());
        return choice;
    }

    /**
     * Whether C2 runs: the Vector API is intrinsified only there; under the interpreter, C1 alone or a
     * JVMCI compiler its boxed fallback is far slower than plain scalar code.
     */
    private static boolean c2Available() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm == null) {
                return true;
            }
            if (!flag(vm, "UseCompiler", "true").equals("true")) {
                return false;
            }
            if (flag(vm, "TieredCompilation", "false").equals("true")
                    && Integer.parseInt(flag(vm, "TieredStopAtLevel", "4")) < 4) {
                return false;
            }
            return !flag(vm, "UseJVMCICompiler", "false").equals("true");
        } catch (LinkageError | RuntimeException unknown) {
            // jdk.management absent (a jlinked image): assume the standard server VM.
            return true;
        }
    }

    private static String flag(HotSpotDiagnosticMXBean vm, String name, String absent) {
        try {
            return vm.getVMOption(name).getValue();
        } catch (IllegalArgumentException noSuchFlag) {
            return absent;
        }
    }
}
