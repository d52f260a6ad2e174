package io.vnetd.qmp.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The schema's own products: introspection that refers only to types it lists, and the reference
 * page in docs/, generated from the schema and kept in sync by this test
 * ({@code -Dvnetd.updateDocs=true} rewrites it).
 */
class ReferenceDocsTest {

    private static final Schema SCHEMA = Schema.load(HostConditions.detect());
    private static final Path REFERENCE = Path.of("..", "docs", "qmp-reference.md");

    @Test
    void introspectionRefersOnlyToTypesItLists() {
        JsonNode info = Introspection.schemaInfo(SCHEMA);
        Set<String> defined = new HashSet<>();
        info.forEach(entity -> defined.add(entity.get("name").textValue()));
        for (JsonNode entity : info) {
            for (String reference : new String[] {"arg-type", "ret-type", "element-type"}) {
                if (entity.has(reference)) {
                    assertTrue(defined.contains(entity.get(reference).textValue()), entity.toString());
                }
            }
            entity.path("members").forEach(member -> {
                if (member.has("type")) {
                    assertTrue(defined.contains(member.get("type").textValue()), entity.toString());
                }
            });
            entity.path("variants").forEach(variant ->
                    assertTrue(defined.contains(variant.get("type").textValue()), entity.toString()));
        }
    }

    @Test
    void theReferencePageIsTheSchemas() throws IOException {
        String generated = SchemaDocs.markdown(SCHEMA);
        if (Boolean.getBoolean("vnetd.updateDocs")) {
            Files.writeString(REFERENCE, generated);
        }
        assertEquals(generated, Files.readString(REFERENCE),
                "docs/qmp-reference.md is out of date: mvn -pl qmp-gateway test -Dtest=ReferenceDocsTest -Dvnetd.updateDocs=true");
    }
}
