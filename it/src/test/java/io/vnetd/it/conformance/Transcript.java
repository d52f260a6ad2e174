package io.vnetd.it.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Transcript files (one JSON object per line) and the key that lines a record up with its counterpart. */
final class Transcript {

    private Transcript() {
    }

    static List<ObjectNode> read(Path file) throws IOException {
        List<ObjectNode> records = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                JsonNode record = PythonJson.parse(lines.get(i));
                if (!(record instanceof ObjectNode object)) {
                    throw new IOException(file + ":" + (i + 1) + ": a transcript record must be a JSON object");
                }
                records.add(object);
            } catch (JsonProcessingException e) {
                throw new IOException(file + ":" + (i + 1) + ": invalid JSON: " + e.getOriginalMessage(), e);
            }
        }
        return records;
    }

    /** Writes the records as qmp_run.py's {@code dump} does, so that {@code diff -u} against QEMU's file works. */
    static void write(Path file, List<ObjectNode> records) throws IOException {
        StringBuilder out = new StringBuilder();
        for (ObjectNode record : records) {
            out.append(PythonJson.transcriptLine(record)).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, out, StandardCharsets.UTF_8);
    }

    /**
     * The records by key, in order: {@code greeting}, {@code step N} (0 is the runner's own
     * qmp_capabilities), {@code comment K}, {@code final-events}, {@code closed}, or {@code line K}
     * for anything else.
     */
    static Map<String, ObjectNode> byKey(List<ObjectNode> records) {
        Map<String, ObjectNode> keyed = new LinkedHashMap<>();
        int comments = 0;
        for (int i = 0; i < records.size(); i++) {
            ObjectNode rec = records.get(i);
            String key;
            if (rec.has("step")) {
                key = stepKey(rec.get("step").asInt());
            } else if (rec.has("greeting")) {
                key = "greeting";
            } else if (rec.has("comment")) {
                key = "comment " + ++comments;
            } else if (rec.has("final-events")) {
                key = "final-events";
            } else if (rec.has("closed")) {
                key = "closed";
            } else {
                key = "line " + (i + 1);
            }
            keyed.put(key, rec);
        }
        return keyed;
    }

    static String stepKey(int step) {
        return "step " + step;
    }
}
