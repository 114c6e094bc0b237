package dev.simdreg;

import dev.simdreg.ApiCalls.Call;
import dev.simdreg.ApiCalls.Prepared;
import dev.simdreg.ApiCalls.Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public method that takes buffers, found by reflection through {@link ApiCalls} (so a new method
 * cannot escape), called from one valid call with each argument made bad in turn: null; a buffer one element
 * short; a read-only segment where the call writes; a segment overlapping another buffer partly; a segment of
 * a closed arena; a segment confined to another thread; NaN, ±Inf and a negative value for each number. A call
 * that throws must throw an {@link IllegalArgumentException}, {@link NullPointerException},
 * {@link IndexOutOfBoundsException}, {@link IllegalStateException} or {@link WrongThreadException} whose
 * message names the argument as the method's signature does (compiled with {@code -parameters}), and must
 * leave every buffer as it was. Some bad values are errors whatever the method: nulls, read-only and partly
 * overlapping outputs, closed and foreign segments, and NaN or an infinity for a number that is not a fill
 * value; those must throw.
 */
class BadInputSweepTest {

    private static final int N = 1021;
    /**
     * The arguments whose Javadoc says null is allowed, by method: no affine (γ, β), no gradient of it, no
     * statistics out, no mask kept, no momentum. Null anywhere else must throw.
     */
    private static final Map<String, Set<String>> OPTIONAL = Map.of(
            "foldIntoLinear", Set.of("gamma", "beta", "b"),
            "inferenceForward", Set.of("gamma", "beta"),
            "trainingForward", Set.of("gamma", "beta", "statistics"),
            "trainingBackward", Set.of("gamma", "beta", "dGamma", "dBeta"),
            "inferenceBackward", Set.of("gamma", "beta", "dGamma", "dBeta"),
            "forward", Set.of("mask"),
            "forwardChannels", Set.of("mask"),
            "forwardPerUnit", Set.of("mask"),
            "sgd", Set.of("momentumBuffer"));
    private static ExecutorService otherThread;

    @BeforeAll
    static void startOtherThread() {
        otherThread = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stopOtherThread() {
        otherThread.shutdownNow();
    }

    @Test
    void parameterNamesAreCompiledIn() throws NoSuchMethodException {
        Method m = Penalties.class.getMethod("l2Norm", MemorySegment.class);
        assertTrue(m.getParameters()[0].isNamePresent(), "compile the library with -parameters");
    }

    @Test
    void everyBadArgumentIsRejectedByNameBeforeAnyWrite() throws Throwable {
        List<String> failures = new ArrayList<>();
        int variants = 0;
        try (Arena arena = Arena.ofShared()) {
            for (Call call : ApiCalls.all(N)) {
                for (Storage storage : List.of(Storage.ARRAYS, Storage.NATIVE)) {
                    if (!call.runsOn(storage)) {
                        continue;
                    }
                    Parameter[] parameters = call.overload(storage).getParameters();
                    for (int i = 0; i < parameters.length; i++) {
                        for (Variant v : variants(call, storage, arena, i)) {
                            variants++;
                            String failure = check(v);
                            if (failure != null) {
                                failures.add(call.label() + " on " + storage + ", " + v.description + ": " + failure);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(variants > 2500, "bad calls made: " + variants);
        assertEquals("", String.join("\n", failures), failures.size() + " bad calls handled wrongly");
    }

    /** One bad call: the arguments, the names its exception may give, and whether it must throw. */
    private record Variant(String description, Prepared prepared, Object[] arguments, List<String> names,
                           boolean mustThrow) {
    }

    private static List<Variant> variants(Call call, Storage storage, Arena arena, int i) throws Exception {
        Parameter parameter = call.overload(storage).getParameters()[i];
        String name = parameter.getName();
        Class<?> type = parameter.getType();
        List<Variant> out = new ArrayList<>();
        if (!type.isPrimitive()) {
            Prepared p = call.prepare(storage, arena);
            boolean optional = OPTIONAL.getOrDefault(call.name(), Set.of()).contains(name);
            out.add(variant("null " + name, p, i, null, List.of(name), !optional));
        }
        if (type == float.class || type == double.class) {
            boolean fill = isFillValue(name);
            for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1}) {
                Object value = type == float.class ? (Object) (float) bad : (Object) bad;
                boolean mustThrow = !fill && !(bad == -1);
                out.add(variant(name + " = " + bad, call.prepare(storage, arena), i, value, List.of(name), mustThrow));
            }
        }
        if (type == int.class || type == long.class) {
            for (long bad : new long[] {-1, Integer.MAX_VALUE}) {
                Object value = type == int.class ? (Object) (int) bad : (Object) bad;
                out.add(variant(name + " = " + bad, call.prepare(storage, arena), i, value, List.of(name), false));
            }
        }
        Prepared p = call.prepare(storage, arena);
        Object valid = p.arguments()[i];
        if (valid instanceof MemorySegment s) {
            boolean written = p.written().contains(s);
            long element = elementBytes(call, i);
            if (s.byteSize() >= element) {
                out.add(variant(name + " one element short", p, i, s.asSlice(0, s.byteSize() - element),
                        List.of(name), false));
            }
            if (written) {
                Prepared q = call.prepare(storage, arena);
                out.add(variant("read-only " + name, q, i, ((MemorySegment) q.arguments()[i]).asReadOnly(),
                        List.of(name), true));
                out.addAll(overlaps(call, storage, arena, i, name));
            }
            Prepared q = call.prepare(storage, arena);
            Arena closing = Arena.ofConfined();
            MemorySegment closed = closing.allocate(Math.max(1, s.byteSize()), 64).asSlice(0, s.byteSize());
            closing.close();
            out.add(variant(name + " of a closed arena", q, i, closed, List.of(name), true));
            Prepared r = call.prepare(storage, arena);
            MemorySegment foreign = otherThread.submit(
                    () -> Arena.ofConfined().allocate(Math.max(1, s.byteSize()), 64).asSlice(0, s.byteSize())).get();
            out.add(variant(name + " confined to another thread", r, i, foreign, List.of(name), true));
        } else if (valid instanceof float[] a && a.length > 0) {
            out.add(variant(name + " one element short", p, i, Arrays.copyOf(a, a.length - 1), List.of(name), false));
        } else if (valid instanceof Object[] members && members.length > 0) {
            Object[] withNull = members.clone();
            withNull[members.length - 1] = null;
            out.add(variant("null member of " + name, p, i, withNull, List.of(name), true));
        }
        return out;
    }

    /** The written segment i overlapping each other segment argument by all but one element. */
    private static List<Variant> overlaps(Call call, Storage storage, Arena arena, int i, String name) {
        List<Variant> out = new ArrayList<>();
        Parameter[] parameters = call.overload(storage).getParameters();
        for (int j = 0; j < parameters.length; j++) {
            Prepared p = call.prepare(storage, arena);
            if (j == i || !(p.arguments()[j] instanceof MemorySegment other)) {
                continue;
            }
            MemorySegment target = (MemorySegment) p.arguments()[i];
            long shift = elementBytes(call, i);
            if (target.byteSize() <= shift || other.byteSize() <= shift) {
                continue;
            }
            MemorySegment shared = arena.allocate(Math.max(target.byteSize(), other.byteSize()) + shift, 64);
            MemorySegment first = shared.asSlice(0, target.byteSize());
            MemorySegment second = shared.asSlice(shift, other.byteSize());
            Object[] arguments = p.arguments().clone();
            arguments[i] = first;
            arguments[j] = other.isReadOnly() ? second.asReadOnly() : second;
            out.add(new Variant(name + " overlapping " + parameters[j].getName() + " by all but one element", p,
                    arguments, List.of(name, parameters[j].getName()), true));
        }
        return out;
    }

    private static long elementBytes(Call call, int i) {
        return call.arguments().get(i) instanceof ApiCalls.Buffer b ? b.elementBytes() : Float.BYTES;
    }

    /** Numbers that are data, not hyperparameters: any float is a valid fill or shift. */
    private static boolean isFillValue(String name) {
        return name.equals("value") || name.equals("mean") || name.equals("shift") || name.equals("offset");
    }

    private static Variant variant(String description, Prepared p, int i, Object value, List<String> names,
                                   boolean mustThrow) {
        Object[] arguments = p.arguments().clone();
        arguments[i] = value;
        return new Variant(description, p, arguments, names, mustThrow);
    }

    /** Null when the bad call was handled as it must be; otherwise what went wrong. */
    private static String check(Variant v) {
        List<byte[]> before = snapshot(v.arguments);
        Throwable thrown = null;
        try {
            Object returned = (Object) v.prepared.handle().invokeExact(v.arguments);
            if (returned instanceof AutoCloseable opened) {
                opened.close();
            }
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            return v.mustThrow ? "returned normally" : null;
        }
        if (!(thrown instanceof IllegalArgumentException || thrown instanceof NullPointerException
                || thrown instanceof IndexOutOfBoundsException || thrown instanceof IllegalStateException
                || thrown instanceof WrongThreadException)) {
            return "threw " + thrown;
        }
        String message = String.valueOf(thrown.getMessage());
        boolean named = v.names.stream().anyMatch(n -> Pattern.compile("(^|\\W)" + Pattern.quote(n) + "(\\W|$)")
                .matcher(message).find());
        if (!named) {
            return "threw " + thrown + ", naming none of " + v.names;
        }
        List<byte[]> after = snapshot(v.arguments);
        for (int k = 0; k < before.size(); k++) {
            if (before.get(k) != null && !Arrays.equals(before.get(k), after.get(k))) {
                return "threw " + thrown.getClass().getSimpleName() + " after writing buffer " + k;
            }
        }
        return null;
    }

    private static List<byte[]> snapshot(Object[] arguments) {
        List<byte[]> out = new ArrayList<>();
        for (Object a : arguments) {
            if (a instanceof Object[] members && !(a instanceof MemorySegment)) {
                for (Object m : members) {
                    out.add(bytes(m));
                }
            } else {
                out.add(bytes(a));
            }
        }
        return out;
    }

    private static byte[] bytes(Object buffer) {
        MemorySegment s = switch (buffer) {
            case float[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case byte[] a -> MemorySegment.ofArray(a);
            case MemorySegment m -> m;
            case null, default -> null;
        };
        if (s == null || !s.scope().isAlive()) {
            return null;
        }
        try {
            return s.toArray(ValueLayout.JAVA_BYTE);
        } catch (WrongThreadException e) {
            return null;
        }
    }
}
