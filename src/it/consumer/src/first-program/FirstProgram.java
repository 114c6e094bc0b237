import dev.simdreg.AdamW;
import dev.simdreg.Dropout;
import dev.simdreg.Initializers;
import dev.simdreg.Optimizers;
import dev.simdreg.Projections;
import dev.simdreg.Simdreg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** One step of a layer of 256 units over 784 inputs: initialize, drop out, clip, AdamW, max-norm. */
public class FirstProgram {
    public static void main(String[] args) {
        System.out.println(Simdreg.provider());         // "vector 512-bit (...)", or scalar without the flag
        int units = 256, inputs = 784, n = units * inputs;
        long seed = 42;

        // The array form: float[] in, float[] out; the mask holds one bit per element.
        float[] activations = new float[n], dropped = new float[n];
        long[] mask = new long[(n + 63) / 64];
        Arrays.fill(activations, 1f);
        Dropout.forward(seed, 0, 0.8f, Dropout.Scaling.INVERTED, activations, dropped, mask);

        // The segment form: off-heap, 64-byte aligned, the fastest storage; the caller owns all state.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(4L * n, 64), grad = arena.allocate(4L * n, 64);
            MemorySegment m = arena.allocate(4L * n, 64), v = arena.allocate(4L * n, 64);
            Initializers.heNormal(seed, n, inputs, w);   // stream offset n: independent of the mask's draws
            Initializers.heNormal(seed, 2L * n, inputs, grad);

            float norm = Projections.clipGradNorm(new MemorySegment[] {grad}, 1f);
            Optimizers.adamW(AdamW.withDefaults(1e-3), 1, w, grad, m, v);
            long scaled = Projections.maxNormRows(w, units, inputs, 1.4f);

            System.out.printf("gradient norm %.2f clipped to 1; %d of %d units renormalized%n", norm, scaled, units);
        }
    }
}
