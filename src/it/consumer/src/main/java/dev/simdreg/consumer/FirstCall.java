package dev.simdreg.consumer;

import dev.simdreg.Penalties;
import dev.simdreg.ProviderInfo;
import dev.simdreg.Simdreg;

/**
 * Checks how it was run and what simdreg chose: args[0] is "module" or "class" (the path it expects to be
 * on), args[1] the provider it expects ("vector" with the Vector API module, "scalar" without).
 */
public final class FirstCall {

    private FirstCall() {
    }

    public static void main(String[] args) {
        String path = FirstCall.class.getModule().isNamed() ? "module" : "class";
        check(path.equals(args[0]), "on the " + path + " path, expected the " + args[0] + " path");
        ProviderInfo provider = Simdreg.provider();
        check(provider.name().equals(args[1]), "provider " + provider + ", expected " + args[1]);
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 2 == 0 ? 3 : -4;
        }
        // 500 threes and 500 fours: sqrt(500·9 + 500·16) = 50·sqrt(5), 111.80339887... rounded to float
        float norm = Penalties.l2Norm(x);
        check(norm == (float) (50 * Math.sqrt(5)), "l2Norm gave " + norm);
        System.out.println("consumer on the " + path + " path: " + provider + "; l2Norm = " + norm);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
