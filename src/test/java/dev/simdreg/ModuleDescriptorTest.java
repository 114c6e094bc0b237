package dev.simdreg;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tests run on the class path, so the compiled module descriptor is checked here. */
class ModuleDescriptorTest {

    private static ModuleDescriptor descriptor() throws IOException, URISyntaxException {
        Path classes = Path.of(Simdreg.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void exportsOnlyThePublicApi() throws Exception {
        ModuleDescriptor module = descriptor();
        assertEquals("dev.simdreg", module.name());
        assertEquals(Set.of("dev.simdreg"),
                module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    }

    @Test
    void needsTheVectorModuleOnlyStatically() throws Exception {
        ModuleDescriptor.Requires vector = descriptor().requires().stream()
                .filter(r -> r.name().equals("jdk.incubator.vector")).findFirst().orElseThrow();
        assertTrue(vector.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC));
    }
}
