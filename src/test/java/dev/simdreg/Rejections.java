package dev.simdreg;

import org.junit.jupiter.api.DynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic tests of bad input: each case runs a call on fresh buffers, expects an exception of the given
 * type whose message contains every given word, then checks that the buffers hold what they held.
 *
 * @param <B> the buffers a call may touch
 */
final class Rejections<B extends KnownBuffers> {

    /** A call on one set of buffers. */
    interface Call<B> {
        void run(B buffers);
    }

    private final Supplier<B> fresh;
    private final List<DynamicTest> cases = new ArrayList<>();

    /** @param fresh new buffers with known contents, one set per case */
    Rejections(Supplier<B> fresh) {
        this.fresh = fresh;
    }

    void expect(String name, Class<? extends Throwable> type, Call<B> call, String... words) {
        cases.add(DynamicTest.dynamicTest(name, () -> {
            B buffers = fresh.get();
            Throwable thrown = assertThrows(type, () -> call.run(buffers));
            for (String word : words) {
                assertTrue(String.valueOf(thrown.getMessage()).contains(word),
                        () -> "message '" + thrown.getMessage() + "' should name '" + word + "'");
            }
            buffers.untouched();
        }));
    }

    Stream<DynamicTest> tests() {
        return cases.stream();
    }
}
