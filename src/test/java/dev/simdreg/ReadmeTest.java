package dev.simdreg;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's first program is the one the consumer build compiles and runs (src/it/consumer), and CI
 * runs the README's test command: what a user copies works.
 */
class ReadmeTest {

    private static final Path README = Path.of("README.md");

    @Test
    void theFirstProgramIsTheOneTheConsumerBuildRuns() throws IOException {
        String program = Files.readString(Path.of("src/it/consumer/src/first-program/FirstProgram.java"));
        assertTrue(Files.readString(README).contains("```java\n" + program + "```\n"),
                "README.md shows src/it/consumer/src/first-program/FirstProgram.java as it is");
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws IOException {
        String ci = Files.readString(Path.of(".ci/run"));
        assertTrue(ci.strip().endsWith("\n./mvnw verify"), ".ci/run ends with ./mvnw verify");
        assertTrue(Files.readString(README).contains("\n./mvnw verify "), "README.md gives ./mvnw verify");
    }
}
