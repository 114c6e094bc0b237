package dev.simdreg.djl;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DJL loads PyTorch 2.7.1 from the class path with no network: the build sets {@code ai.djl.offline}, points
 * {@code DJL_CACHE_DIR} into target (a clean build starts it empty) and routes HTTP(S) to a closed port, so a
 * download would fail the engine's load.
 */
class OfflineEngineTest {

    @Test
    void pyTorchComesFromTheClassPathIntoTheBuildsCache() throws IOException {
        Engine engine = Engine.getInstance();
        assertEquals("PyTorch", engine.getEngineName());
        assertEquals("2.7.1", engine.getVersion());
        assertEquals("true", System.getProperty("ai.djl.offline"));
        Path cache = Path.of(System.getProperty("simdreg.djl.expectedCache"));
        assertEquals(cache.toString(), System.getenv("DJL_CACHE_DIR"));
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("libtorch_cpu.so")),
                    "libtorch_cpu.so not unpacked under " + cache);
        }
    }

    @Test
    void theNetworkIsClosedToTheTests() {
        assertThrows(IOException.class,
                () -> URI.create("https://repo1.maven.org/maven2/").toURL().openConnection().getInputStream());
    }
}
