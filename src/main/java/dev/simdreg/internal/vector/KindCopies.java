package dev.simdreg.internal.vector;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.List;

/**
 * Copies of a kernel class, one per class of segment it is given, each defined from the class's own bytecode
 * as a hidden class whose class data is that segment class (read by {@link Species#floatAccess}). The JIT keeps
 * profiles and compiled code per class, so each copy's loops are compiled for one class of segment, as if
 * the kernels had been written once per storage kind, whatever else the application runs: a template
 * instantiated by the JVM rather than by the build. A call whose float segments are not all of one class
 * runs on the class as compiled, which branches per load (see {@link FloatAccess.Mixed}).
 *
 * @param <T> the family's kernel interface
 */
final class KindCopies<T> {

    /** Index of the float segments' class in a copy's class data. */
    static final int FLOATS = 0;
    /** Index of the byte segments' class in a copy's class data (the images' 8-bit sources). */
    static final int BYTES = 1;

    private final Class<T> family;
    private final byte[] bytecode;
    /**
     * The copies made so far, scanned in order: a call finds its kernels in a compare or two, where a
     * {@code ClassValue} lookup per kind took about 10 ns of a 4 KiB call's 40 (JMH). Replaced whole when a
     * copy is added, so a reader sees a complete array.
     */
    private volatile Copy[] copies;

    /** The kernels for one pair of segment classes. */
    private record Copy(Class<?> floatKind, Class<?> byteKind, Object kernels) {
    }

    /** Copies of the class of any, which serves calls that mix classes of segment. */
    KindCopies(Class<T> family, T any) {
        this.family = family;
        this.bytecode = bytecode(any.getClass());
        this.copies = new Copy[] {new Copy(Species.ANY, Species.ANY, any)};
    }

    /** The kernels for a call whose float segments are of class floatKind (or mixed: {@link Species#ANY}). */
    T of(Class<?> floatKind) {
        return of(floatKind, Species.ANY);
    }

    /** As {@link #of(Class)}, for a call that also reads bytes from segments of class byteKind. */
    T of(Class<?> floatKind, Class<?> byteKind) {
        for (Copy copy : copies) {
            if (copy.floatKind() == floatKind && copy.byteKind() == byteKind) {
                return family.cast(copy.kernels());
            }
        }
        return add(floatKind, byteKind);
    }

    private synchronized T add(Class<?> floatKind, Class<?> byteKind) {
        Copy[] known = copies;
        for (Copy copy : known) {
            if (copy.floatKind() == floatKind && copy.byteKind() == byteKind) {
                return family.cast(copy.kernels());
            }
        }
        T kernels = define(floatKind, byteKind);
        Copy[] grown = Arrays.copyOf(known, known.length + 1);
        grown[known.length] = new Copy(floatKind, byteKind, kernels);
        copies = grown;
        return kernels;
    }

    /** The class of a, or {@link Species#ANY}; a null segment (an absent optional output) does not count. */
    static Class<?> kind(MemorySegment a) {
        return a == null ? Species.ANY : a.getClass();
    }

    /** The class that a and b share, or {@link Species#ANY}. */
    static Class<?> kind(MemorySegment a, MemorySegment b) {
        return b == null || a.getClass() == b.getClass() ? a.getClass() : Species.ANY;
    }

    /** The class that a, b and c share, or {@link Species#ANY}. */
    static Class<?> kind(MemorySegment a, MemorySegment b, MemorySegment c) {
        Class<?> ab = kind(a, b);
        return c == null || ab == c.getClass() ? ab : Species.ANY;
    }

    /** The class that a, b, c and d share, or {@link Species#ANY}. */
    static Class<?> kind(MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
        Class<?> abc = kind(a, b, c);
        return d == null || abc == d.getClass() ? abc : Species.ANY;
    }

    private T define(Class<?> floatKind, Class<?> byteKind) {
        try {
            MethodHandles.Lookup copy = MethodHandles.lookup()
                    .defineHiddenClassWithClassData(bytecode, List.of(floatKind, byteKind), true);
            return instance(copy, copy.lookupClass());
        } catch (IllegalAccessException e) {
            throw new AssertionError("the vector package defines its own classes", e);
        }
    }

    private T instance(MethodHandles.Lookup lookup, Class<?> copy) {
        try {
            return family.cast(lookup.findConstructor(copy, MethodType.methodType(void.class)).invoke());
        } catch (Throwable e) {
            throw new AssertionError("kernel classes have a no-argument constructor", e);
        }
    }

    private static byte[] bytecode(Class<?> template) {
        try (InputStream in = template.getResourceAsStream(template.getSimpleName() + ".class")) {
            if (in == null) {
                throw new IllegalStateException("no class file for " + template.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
