package dev.simdreg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * One valid call of every public method that reads or writes buffers, written once for both API forms: each
 * call names its buffers abstractly ({@link #in}, {@link #out}, ...) and runs on the overload that takes them
 * as arrays or as segments of a chosen {@link Storage}. The sweeps over the whole API (allocation, bit
 * digests) run these; {@link #uncovered()} names any public method that none of them reaches, so a new
 * method cannot escape them.
 */
final class ApiCalls {

    /** Where the buffers of a call live. */
    enum Storage {
        /** The array overloads. */
        ARRAYS,
        /** Segments over arrays of the buffer's own element type. */
        HEAP,
        /** Native segments, 64-byte aligned. */
        NATIVE,
        /** Native segments 4 bytes past a 64-byte boundary. */
        NATIVE_ODD,
        /** Segments over byte[], whatever the element type. */
        BYTE_ARRAYS;

        static final List<Storage> SEGMENTS = List.of(HEAP, NATIVE, NATIVE_ODD, BYTE_ARRAYS);
    }

    /** The public classes whose static methods the calls cover. */
    static final List<Class<?>> API = List.of(Averaging.class, BatchNorm.class, ColourPca.class, Dropout.class,
            EarlyStopping.class, Ensembles.class, Images.class, Initializers.class, Noise.class, Optimizers.class,
            Penalties.class, Projections.class, RandomStreams.class);

    /** The element type of an abstract buffer. */
    private enum Element {
        FLOAT(Float.BYTES, float[].class), LONG(Long.BYTES, long[].class), INT(Integer.BYTES, int[].class),
        BYTE(Byte.BYTES, byte[].class);

        final int bytes;
        final Class<?> arrayType;

        Element(int bytes, Class<?> arrayType) {
            this.bytes = bytes;
            this.arrayType = arrayType;
        }
    }

    /** How an abstract buffer is filled, and whether the call writes it. */
    private enum Fill {
        GAUSSIAN, POSITIVE, ZERO, BITS
    }

    /** An abstract buffer: n elements, made as an array or a segment when the call runs. */
    record Buffer(Element element, int n, Fill fill, boolean written, int seed) {

        int elementBytes() {
            return element.bytes;
        }
    }

    /** Several buffers as one argument ({@code float[][]} or {@code MemorySegment[]}). */
    record Buffers(List<Buffer> members) {
    }

    /** One call: a public method by class and name, and its arguments. */
    record Call(String label, Class<?> owner, String name, List<Object> arguments) {

        /** Whether the call has an overload for this storage. */
        boolean runsOn(Storage storage) {
            return overload(storage) != null;
        }

        /** The overload of this call for the storage: arrays for ARRAYS, segments otherwise. */
        Method overload(Storage storage) {
            for (Method m : owner.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) && m.getName().equals(name)
                        && m.getParameterCount() == arguments.size() && accepts(m, storage)) {
                    return m;
                }
            }
            return null;
        }

        private boolean accepts(Method m, Storage storage) {
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                Object a = arguments.get(i);
                Class<?> expected;
                if (a instanceof Buffer b) {
                    expected = storage == Storage.ARRAYS ? b.element().arrayType : MemorySegment.class;
                } else if (a instanceof Buffers bs) {
                    expected = storage == Storage.ARRAYS ? bs.members().getFirst().element().arrayType.arrayType()
                            : MemorySegment[].class;
                } else if (a instanceof Integer && types[i] == long.class) {
                    expected = long.class;
                } else {
                    expected = a == null ? types[i] : MethodType.methodType(a.getClass()).unwrap().returnType();
                }
                if (!types[i].equals(expected) && !(a != null && !types[i].isPrimitive() && types[i].isInstance(a))) {
                    return false;
                }
            }
            return true;
        }

        /** The call made ready on a storage: its arguments built, run by {@link Prepared#run()}. */
        Prepared prepare(Storage storage, Arena arena) {
            Method m = overload(storage);
            if (m == null) {
                throw new IllegalArgumentException(label + " has no overload for " + storage);
            }
            Object[] built = new Object[arguments.size()];
            List<Object> written = new ArrayList<>();
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < built.length; i++) {
                Object a = arguments.get(i);
                if (a instanceof Buffer b) {
                    built[i] = make(b, storage, arena);
                    if (b.written()) {
                        written.add(built[i]);
                    }
                } else if (a instanceof Buffers bs) {
                    Object[] members = (Object[]) java.lang.reflect.Array.newInstance(types[i].getComponentType(),
                            bs.members().size());
                    for (int k = 0; k < members.length; k++) {
                        members[k] = make(bs.members().get(k), storage, arena);
                        if (bs.members().get(k).written()) {
                            written.add(members[k]);
                        }
                    }
                    built[i] = members;
                } else if (a instanceof Integer v && types[i] == long.class) {
                    built[i] = (long) v;
                } else {
                    built[i] = a;
                }
            }
            try {
                MethodHandle h = MethodHandles.publicLookup().unreflect(m).asFixedArity()
                        .asSpreader(Object[].class, built.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
                List<byte[]> initial = new ArrayList<>();
                for (Object w : written) {
                    initial.add(bytes(w));
                }
                return new Prepared(this, storage, m, h, built, written, initial);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** A call with its buffers built; {@link #run()} may be repeated (each run overwrites the outputs). */
    record Prepared(Call call, Storage storage, Method method, MethodHandle handle, Object[] arguments,
                    List<Object> written, List<byte[]> initial) {

        /** Puts back what the written buffers held before the first run. */
        void reset() {
            for (int k = 0; k < written.size(); k++) {
                MemorySegment.copy(MemorySegment.ofArray(initial.get(k)), 0, segment(written.get(k)), 0,
                        initial.get(k).length);
            }
        }

        /** Runs the call, returning what the method returns (null for void); what it opens, it closes. */
        Object run() throws Throwable {
            Object returned = (Object) handle.invokeExact(arguments);
            if (returned instanceof AutoCloseable opened) {
                opened.close();
                return null;
            }
            return returned;
        }

        /** SHA-256 of the written buffers' bytes and the returned value, after one run. */
        String digest(Object returned) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (Object w : written) {
                    sha.update(bytes(w));
                }
                String value = switch (returned) {
                    case null -> "";
                    case Float f -> Integer.toHexString(Float.floatToRawIntBits(f));
                    case ColourPca p -> Arrays.toString(p.eigenvalues()) + Arrays.toString(p.eigenvectors());
                    case int[] ints -> Arrays.toString(ints);
                    default -> returned.toString();
                };
                sha.update(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(sha.digest(), 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public String toString() {
            return call.label() + " on " + storage;
        }
    }

    private static byte[] bytes(Object buffer) {
        return segment(buffer).toArray(ValueLayout.JAVA_BYTE);
    }

    private static MemorySegment segment(Object buffer) {
        return switch (buffer) {
            case float[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case byte[] a -> MemorySegment.ofArray(a);
            case MemorySegment m -> m;
            default -> throw new IllegalArgumentException(buffer.getClass().getName());
        };
    }

    private static Object make(Buffer b, Storage storage, Arena arena) {
        ByteBuffer values = ByteBuffer.allocate(b.n() * b.element().bytes).order(ByteOrder.nativeOrder());
        SplittableRandom random = new SplittableRandom(b.seed());
        for (int i = 0; i < b.n(); i++) {
            switch (b.element()) {
                case FLOAT -> values.putFloat(switch (b.fill()) {
                    case GAUSSIAN -> (float) random.nextGaussian();
                    case POSITIVE -> (float) random.nextDouble(0.05, 1);
                    default -> 0f;
                });
                case LONG -> values.putLong(b.fill() == Fill.BITS ? random.nextLong() : 0);
                case INT -> values.putInt(b.fill() == Fill.BITS ? random.nextInt(10) : 0);
                case BYTE -> values.put(b.fill() == Fill.BITS ? (byte) random.nextInt() : 0);
            }
        }
        MemorySegment source = MemorySegment.ofArray(values.array());
        long bytes = source.byteSize();
        MemorySegment target = switch (storage) {
            case ARRAYS, HEAP -> switch (b.element()) {
                case FLOAT -> MemorySegment.ofArray(new float[b.n()]);
                case LONG -> MemorySegment.ofArray(new long[b.n()]);
                case INT -> MemorySegment.ofArray(new int[b.n()]);
                case BYTE -> MemorySegment.ofArray(new byte[b.n()]);
            };
            case NATIVE -> arena.allocate(bytes, 64);
            case NATIVE_ODD -> arena.allocate(bytes + 4, 64).asSlice(4);
            case BYTE_ARRAYS -> MemorySegment.ofArray(new byte[(int) bytes]);
        };
        MemorySegment.copy(source, 0, target, 0, bytes);
        if (storage != Storage.ARRAYS) {
            return b.written() ? target : target.asReadOnly();
        }
        return target.heapBase().orElseThrow();
    }

    private static int seeds;

    /** n floats of a standard normal, read only. */
    static Buffer in(int n) {
        return new Buffer(Element.FLOAT, n, Fill.GAUSSIAN, false, ++seeds);
    }

    /** n floats in [0.05, 1), read only: probabilities, variances, scales. */
    static Buffer positive(int n) {
        return new Buffer(Element.FLOAT, n, Fill.POSITIVE, false, ++seeds);
    }

    /** n floats of zeros that the call writes. */
    static Buffer out(int n) {
        return new Buffer(Element.FLOAT, n, Fill.ZERO, true, ++seeds);
    }

    /** n floats of a standard normal that the call reads and writes (weights, moments). */
    static Buffer state(int n) {
        return new Buffer(Element.FLOAT, n, Fill.GAUSSIAN, true, ++seeds);
    }

    /** n positive floats that the call reads and writes (running variances, second moments). */
    static Buffer positiveState(int n) {
        return new Buffer(Element.FLOAT, n, Fill.POSITIVE, true, ++seeds);
    }

    /** A mask of n bits the call writes. */
    static Buffer maskOut(long n) {
        return new Buffer(Element.LONG, (int) ((n + 63) / 64), Fill.ZERO, true, ++seeds);
    }

    /** A mask of n random bits the call reads. */
    static Buffer maskIn(long n) {
        return new Buffer(Element.LONG, (int) ((n + 63) / 64), Fill.BITS, false, ++seeds);
    }

    /** n ints the call writes. */
    static Buffer intsOut(int n) {
        return new Buffer(Element.INT, n, Fill.ZERO, true, ++seeds);
    }

    /** n random bytes the call reads. */
    static Buffer bytesIn(long n) {
        return new Buffer(Element.BYTE, (int) n, Fill.BITS, false, ++seeds);
    }

    /** k buffers made by one factory. */
    static Buffers many(int k, java.util.function.IntFunction<Buffer> member) {
        List<Buffer> members = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            members.add(member.apply(i));
        }
        return new Buffers(members);
    }

    static Call call(Class<?> owner, String name, Object... arguments) {
        return call(owner.getSimpleName() + "." + name, owner, name, arguments);
    }

    static Call call(String label, Class<?> owner, String name, Object... arguments) {
        return new Call(label, owner, name, Arrays.asList(arguments));
    }

    /** Every call, at sizes around n floats that leave a tail at every vector width. */
    static List<Call> all(int n) {
        seeds = 0;
        int c = 8, spatial = n / 32 + 65;
        BatchShape rows = BatchShape.rows(n / 16 + 1, 16), nchw = BatchShape.channelsFirst(4, c, spatial);
        BatchShape nhwc = BatchShape.channelsLast(4, spatial, c), wide = BatchShape.channelsLast(2, n / 512 + 1, 257);
        // short rows past a block of their order (16384 rows of 3) and a row tail; a channel tail past a register
        BatchShape narrow = BatchShape.rows(n / 2 + 7, 3), odd = BatchShape.channelsLast(2, n / 64 + 3, 31);
        // planes of 8 values, channels of whole registers of runs and a tail past them, past a window of columns
        BatchShape planesOf8 = BatchShape.channelsFirst(3, n / 24 + 1, 8);
        // planes of 64 values: runs of a power of two registers at every width, two rows at a time and a last row
        BatchShape planesOf64 = BatchShape.channelsFirst(3, n / 192 + 1, 64);
        // planes of 16 values: channels whose column sums the provider adds without a loop over them
        BatchShape planesOf16 = BatchShape.channelsFirst(3, n / 48 + 1, 16);
        // planes of 3 values: runs shorter than a register at every width and not a power of two, spread
        BatchShape planesOf3 = BatchShape.channelsFirst(3, n / 9 + 1, 3);
        ImageShape images = ImageShape.nchw(2, 3, 13, n / 78 + 3), pixels = ImageShape.nhwc(2, 13, n / 78 + 3, 3);
        ImageShape cropped = ImageShape.nchw(2, 3, 9, n / 78 - 1), croppedPixels = ImageShape.nhwc(2, 9, n / 78 - 1, 3);
        int units = n / 128 + 1, inputs = 128;
        AdamW adamW = AdamW.withDefaults(1e-3f);
        Sgd nesterov = new Sgd(0.01f, 0.9f, 0f, 1e-4f, true), dampened = new Sgd(0.01f, 0.9f, 0.1f, 1e-4f, false);
        BatchNormOptions options = BatchNormOptions.defaults();
        ColourPca pca = new ColourPca(new double[] {0.2, 0.02, 0.005},
                new double[] {1, 0, 0, 0, 0.6, 0.8, 0, -0.8, 0.6});
        double[] matrices = {0.9, 0.1, 1.5, -0.1, 1.1, -2.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0};
        List<Call> calls = new ArrayList<>(List.of(
                call(Penalties.class, "softThreshold", in(n), 0.3f, out(n)),
                call(Penalties.class, "proximalL1Step", state(n), in(n), 0.1f, 0.2f),
                call(Penalties.class, "l1Norm", in(n)),
                call(Penalties.class, "sumOfSquares", in(n)),
                call(Penalties.class, "l2Norm", in(n)),
                call(Projections.class, "projectToL2Ball", state(n), 1f),
                call(Projections.class, "maxNormRows", state(units * inputs), units, inputs, 7f),
                call(Projections.class, "clipGradNorm", many(3, i -> state(n / 3 + i)), 1f),
                call("Projections.clipGradNorm, error if nonfinite", Projections.class, "clipGradNorm",
                        many(3, i -> state(n / 3 + i)), 1f, true),
                call(Optimizers.class, "sgd", Sgd.withWeightDecay(0.01f, 1e-4f), 3, state(n), in(n), null),
                call("Optimizers.sgd with Nesterov momentum", Optimizers.class, "sgd", nesterov, 3, state(n), in(n),
                        state(n)),
                call("Optimizers.sgd with dampened momentum", Optimizers.class, "sgd", dampened, 3, state(n), in(n),
                        state(n)),
                call(Optimizers.class, "adamW", adamW, 3, state(n), in(n), state(n), positiveState(n)),
                call(Averaging.class, "linearAverage", state(n), in(n), 3),
                call(Averaging.class, "exponentialAverage", state(n), in(n), 0.99f),
                call(Dropout.class, "forward", 7L, 11L, 0.8f, Dropout.Scaling.INVERTED, in(n), out(n), maskOut(n)),
                call(Dropout.class, "backward", 0.8f, Dropout.Scaling.INVERTED, maskIn(n), in(n), out(n)),
                call("Dropout.backward, regenerated", Dropout.class, "backward", 7L, 11L, 0.8f,
                        Dropout.Scaling.INVERTED, in(n), out(n)),
                call(Dropout.class, "forwardPerUnit", 7L, 11L, perUnit(17), Dropout.Scaling.INVERTED, in(17 * units),
                        out(17 * units), maskOut(17L * units)),
                call(Dropout.class, "backwardPerUnit", perUnit(17), Dropout.Scaling.INVERTED, maskIn(17L * units),
                        in(17 * units), out(17 * units)),
                call(Dropout.class, "forwardChannels", 7L, 11L, 0.8f, Dropout.Scaling.INVERTED, nchw,
                        in((int) nchw.elements()), out((int) nchw.elements()), maskOut(4 * c)),
                call(Dropout.class, "backwardChannels", 0.8f, Dropout.Scaling.INVERTED, nchw, maskIn(4 * c),
                        in((int) nchw.elements()), out((int) nchw.elements())),
                call(Dropout.class, "rescaleWeights", in(units * inputs), perUnit(inputs), out(units * inputs)),
                call(Noise.class, "addGaussian", 7L, 11L, 0.1f, in(n), out(n)),
                call(Noise.class, "labelSmoothing", classes(units), 10, 0.1f, out(10 * units)),
                call(Ensembles.class, "bootstrapIndices", 7L, 11L, intsOut(n)),
                call(Ensembles.class, "averageProbabilities", many(3, i -> positive(10 * units)), out(10 * units)),
                call(Ensembles.class, "addPrediction", state(n), in(n), 3),
                call(Ensembles.class, "geometricMean", many(3, i -> positive(10 * units)), 10, out(10 * units)),
                call(Initializers.class, "glorotUniform", 7L, 11L, units, inputs, out(units * inputs)),
                call(Initializers.class, "glorotNormal", 7L, 11L, units, inputs, out(units * inputs)),
                call(Initializers.class, "heUniform", 7L, 11L, inputs, out(units * inputs)),
                call(Initializers.class, "heNormal", 7L, 11L, inputs, out(units * inputs)),
                call(RandomStreams.class, "uniform", 7L, 11L, out(n)),
                call(RandomStreams.class, "normal", 7L, 11L, out(n)),
                call(RandomStreams.class, "bernoulli", 7L, 11L, 0.3f, maskOut(n), (long) n),
                call(RandomStreams.class, "boundedInts", 7L, 11L, 1000, intsOut(n)),
                call(RandomStreams.class, "philox", new int[] {7, 11}, new int[] {1, 2, 3, 4}),
                call(ColourPca.class, "of", images, positive((int) images.elements())),
                call(EarlyStopping.class, "of", EarlyStopping.Mode.MIN, 3, 0.0, many(2, i -> state(n / 2))),
                call(BatchNorm.class, "addMoments", nhwc, in((int) nhwc.elements()), new ChannelMoments(c)),
                call(BatchNorm.class, "foldIntoLinear", c, inputs, in(c * inputs), in(c), in(c), in(c), in(c),
                        positive(c), 1e-5f, out(c * inputs), out(c))));
        for (BatchShape shape : List.of(rows, nchw, nhwc, wide, narrow, odd)) {
            calls.addAll(batchNorm(shape, options));
        }
        for (ImageShape[] shapes : new ImageShape[][] {{images, cropped}, {pixels, croppedPixels}}) {
            calls.addAll(images(shapes[0], shapes[1], pca, matrices));
        }
        calls.addAll(batchNorm(planesOf8, options)); // last: the inputs of the calls before keep their seeds
        calls.addAll(batchNorm(planesOf64, options));
        calls.addAll(batchNorm(planesOf16, options));
        calls.addAll(batchNorm(planesOf3, options));
        return calls;
    }

    private static List<Call> batchNorm(BatchShape shape, BatchNormOptions options) {
        int n = (int) shape.elements(), c = shape.channels();
        String on = " on " + shape;
        return List.of(
                call("BatchNorm.trainingForward" + on, BatchNorm.class, "trainingForward", shape, in(n), out(n),
                        in(c), in(c), out(c), out(c), state(c), positiveState(c), options),
                call("BatchNorm.trainingForward with statistics" + on, BatchNorm.class, "trainingForward", shape,
                        in(n), out(n), in(c), in(c), out(c), out(c), state(c), positiveState(c),
                        options.withRelu(true), ChannelMoments.of(1000, new double[c], ones(c))),
                call("BatchNorm.inferenceForward" + on, BatchNorm.class, "inferenceForward", shape, in(n), out(n),
                        in(c), in(c), in(c), positive(c), options),
                call("BatchNorm.trainingBackward" + on, BatchNorm.class, "trainingBackward", shape, in(n), in(n),
                        out(n), in(c), in(c), in(c), positive(c), out(c), out(c), true),
                call("BatchNorm.inferenceBackward" + on, BatchNorm.class, "inferenceBackward", shape, in(n), in(n),
                        out(n), in(c), in(c), in(c), positive(c), out(c), out(c), options));
    }

    private static List<Call> images(ImageShape shape, ImageShape outShape, ColourPca pca, double[] matrices) {
        int n = (int) shape.elements(), m = (int) outShape.elements();
        String on = " on " + shape;
        float[] mean = {0.4f, 0.5f, 0.6f}, std = {0.2f, 0.3f, 0.25f};
        return List.of(
                call("Images.fromBytes" + on, Images.class, "fromBytes", bytesIn(n), mean, std, shape, out(n)),
                call("Images.flipHorizontal" + on, Images.class, "flipHorizontal", 7L, 11L, 0.5f, shape, in(n),
                        out(n)),
                call("Images.flipVertical" + on, Images.class, "flipVertical", 7L, 11L, 0.5f, shape, in(n), out(n)),
                call("Images.randomCrop" + on, Images.class, "randomCrop", 7L, 11L, 2, shape, in(n), shape, out(n)),
                call("Images.centerCrop" + on, Images.class, "centerCrop", shape, in(n), outShape, out(m)),
                call("Images.pcaColourNoise" + on, Images.class, "pcaColourNoise", 7L, 11L, 0.1f, pca, shape, in(n),
                        out(n)),
                call("Images.warpAffine" + on, Images.class, "warpAffine", matrices, Images.Fill.EDGE, shape, in(n),
                        shape, out(n)));
    }

    private static float[] perUnit(int n) {
        float[] keep = new float[n];
        for (int i = 0; i < n; i++) {
            keep[i] = 0.5f + 0.4f * i / n;
        }
        return keep;
    }

    private static int[] classes(int n) {
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = (7 * i) % 10;
        }
        return classes;
    }

    private static double[] ones(int n) {
        double[] ones = new double[n];
        Arrays.fill(ones, 1000);
        return ones;
    }

    /** The public static methods with a buffer parameter that no call of {@link #all} runs, by storage. */
    static Set<String> uncovered() {
        Set<Method> reached = new LinkedHashSet<>();
        for (Call call : all(1000)) {
            for (Storage storage : Storage.values()) {
                if (call.runsOn(storage)) {
                    reached.add(call.overload(storage));
                }
            }
        }
        Set<String> missing = new LinkedHashSet<>();
        API.stream().flatMap(c -> Stream.of(c.getMethods()))
                .filter(m -> Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class)
                .filter(ApiCalls::takesBuffers)
                .filter(m -> !reached.contains(m))
                .forEach(m -> missing.add(m.toString()));
        return missing;
    }

    private static boolean takesBuffers(Method m) {
        return Stream.of(m.getParameterTypes()).anyMatch(t -> t == MemorySegment.class || t == MemorySegment[].class
                || (t.isArray() && t.getComponentType().isPrimitive() && t != double[].class)
                || t == float[][].class);
    }
}
