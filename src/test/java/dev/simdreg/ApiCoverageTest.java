package dev.simdreg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sweeps over the API reach every public method that takes a buffer. */
class ApiCoverageTest {

    @Test
    void everyPublicMethodWithBuffersHasACall() {
        assertEquals("[]", ApiCalls.uncovered().toString(), "public methods that no call of ApiCalls reaches");
    }
}
