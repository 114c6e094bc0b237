package dev.simdreg.properties;

import dev.simdreg.Simdreg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.constant;
import static org.quicktheories.generators.Generate.pick;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * One element count and storage kind. Every property runs on every shape, with a few random value
 * sets each, so every loop tail and every storage path is hit on every run.
 *
 * @param n       the element count
 * @param storage the storage kind
 */
record Shape(int n, Storage storage) {

    /** Examples per shape: with about 60 shapes per property, enough to mix the value kinds. */
    static final int EXAMPLES_PER_SHAPE = 6;

    /** Fixed, so a failure reproduces; QuickTheories prints it with the falsifying values. */
    static final long SEED = 0x5EED_2026L;

    /**
     * The sizes: empty, tiny, each side of one vector and of the four-vector unrolled reduction,
     * an odd mix, a prime, a page plus a tail, and one large.
     */
    static List<Integer> sizes() {
        int lanes = lanes();
        List<Integer> sizes = new ArrayList<>(List.of(0, 1, 2, lanes - 1, lanes, lanes + 1, 2 * lanes + 3,
                4 * lanes - 1, 4 * lanes, 4 * lanes + 1, 8 * lanes + 5, 1021, 4096 + 7, (1 << 18) + 13));
        return sizes.stream().distinct().sorted().toList();
    }

    /** Floats per register of the provider in use; 16 for the scalar one, whose kernels have no registers. */
    static int lanes() {
        int vectorBits = Simdreg.provider().vectorBits();
        return vectorBits == 0 ? 16 : vectorBits / Float.SIZE;
    }

    /** n elements in each kind of storage. */
    static List<Shape> ofSize(int n) {
        return Arrays.stream(Storage.values()).map(storage -> new Shape(n, storage)).toList();
    }

    static List<Shape> all() {
        return sizes().stream().flatMap(n -> ofSize(n).stream()).toList();
    }

    /** Checks property on every shape, with random seeds and value kinds. */
    static void forEvery(Values.Kind[] kinds, Property property) {
        forEach(all(), kinds, property);
    }

    /** Checks property on each of shapes, with random seeds and value kinds. */
    static void forEach(List<Shape> shapes, Values.Kind[] kinds, Property property) {
        for (Shape shape : shapes) {
            qt().withFixedSeed(SEED).withExamples(EXAMPLES_PER_SHAPE)
                    .forAll(constant(shape), pick(List.of(kinds)),
                            longs().all())
                    .checkAssert((s, kind, seed) -> property.check(s, new Values(kind, seed)));
        }
    }

    /** A property of one shape and one source of values. */
    @FunctionalInterface
    interface Property {
        void check(Shape shape, Values values);
    }
}
