package dev.simdreg.internal.vector;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Inlining barriers between the facade and the kernels. The dispatchers of {@link KindDispatch} call each
 * kernel through a method handle held in a field that is not final, so C2 cannot take it for a constant and
 * never inlines a kernel into its caller: every kernel loop is compiled as a method of its own, as in a
 * benchmark fork, whatever the application's method that calls it. Inlined into a larger caller, a kernel
 * meets C2's inlining budget (8000 bytecodes per compilation, counting the Vector API's own), its helpers
 * stay calls and their vectors are boxed: softThreshold on 2^20 floats ran at 0.54 ns per element and
 * allocated 6 MB per call for seconds, in a caller that had inlined two copies of it, against 0.065 ns and
 * nothing (measured). The handle costs a few nanoseconds a call.
 */
final class Barrier {

    private Barrier() {
    }

    /** The handle of family's method of the given name and parameter count, its receiver the first argument. */
    static MethodHandle handle(Class<?> family, String name, int parameters) {
        Method method = Arrays.stream(family.getMethods())
                .filter(m -> m.getName().equals(name) && m.getParameterCount() == parameters)
                .findFirst()
                .orElseThrow(() -> new AssertionError(family.getName() + " has no " + name + " of " + parameters));
        try {
            return MethodHandles.lookup().unreflect(method);
        } catch (IllegalAccessException e) {
            throw new AssertionError("kernel interfaces are public", e);
        }
    }

    /** What a kernel threw, as it threw it: kernels declare no checked exception. */
    static RuntimeException unchecked(Throwable thrown) {
        if (thrown instanceof RuntimeException e) {
            return e;
        }
        if (thrown instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(thrown);
    }
}
