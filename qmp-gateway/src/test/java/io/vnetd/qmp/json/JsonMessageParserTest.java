package io.vnetd.qmp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON message parser against what QEMU 7.2 answered (qmp-malformed-json and FACTS.md). */
class JsonMessageParserTest {

    private final List<String> out = new ArrayList<>();
    private JsonMessageParser parser = parser(JsonLimits.QEMU);

    private JsonMessageParser parser(JsonLimits limits) {
        return new JsonMessageParser(limits, new JsonMessageParser.Listener() {
            @Override
            public void onValue(JsonNode value) {
                out.add(QmpJsonWriter.toJson(value));
            }

            @Override
            public void onError(String description) {
                out.add("error: " + description);
            }
        });
    }

    private List<String> feed(String text) {
        return feed(text.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> feed(byte[] bytes) {
        out.clear();
        for (byte b : bytes) {
            parser.feed(b);
        }
        return List.copyOf(out);
    }

    @Test
    void transcriptCases() {
        assertEquals(List.of("error: JSON parse error, expecting value"), feed("{\"execute\": }\n"));
        assertEquals(List.of("error: JSON parse error, invalid keyword 'execute'"), feed("{execute: \"query-version\"}\n"));
        assertEquals(List.of("error: JSON parse error, invalid keyword 'garbage'"), feed("garbage\n"));
        assertEquals(List.of("{\"execute\": \"query-version\"}", "error: JSON parse error, expecting value"),
                feed("{\"execute\":\"query-version\"}}\n"));
        assertEquals(List.of("{\"execute\": \"query-version\", \"id\": \"sq\"}"), feed("{'execute':'query-version','id':'sq'}\n"));
        assertEquals(List.of("error: JSON parse error, expecting value"), feed("{\"execute\":\"query-version\",}\n"));
        assertEquals(List.of("error: JSON parse error, expected separator in dict"), feed("{\"execute\":\"query-version\" \"id\":1}\n"));
        assertEquals(List.of("error: JSON parse error, expecting value"), feed("]\n"));
        assertEquals(List.of("error: JSON parse error, expected separator in dict"), feed("{\"execute\":\"query-version\",\"id\":0x10}\n"));
        assertEquals(List.of("error: JSON parse error, invalid escape sequence in string"),
                feed("{\"execute\":\"query-version\",\"id\":\"bad\\qescape\"}\n"));
        assertEquals(List.of("error: JSON parse error, stray '\"\uFFFD'", "error: JSON parse error, expecting value"),
                feed(HexFormat.of().parseHex("7b2265786563757465223a2271756572792d76657273696f6e222c226964223a22ff227d0a")));
        assertEquals(List.of(), feed("\n\n   \n"));
        assertEquals(List.of("{\"execute\": \"query-version\", \"id\": \"two\"}", "{\"execute\": \"query-version\", \"id\": \"per-line\"}"),
                feed("{\"execute\":\"query-version\",\"id\":\"two\"}{\"execute\":\"query-version\",\"id\":\"per-line\"}\n"));
        assertEquals(List.of("error: JSON parse error, stray '\"multi\n'", "error: JSON parse error, expecting value"),
                feed("{\"execute\":\"query-version\",\n \"id\":\"multi\n-line\"}\n"));
        assertEquals(List.of("{\"execute\": \"query-version\", \"id\": \"split-over-lines\"}"),
                feed("{\"execute\":\"query-version\",\n \"id\":\"split-over-lines\"\n}\n"));
    }

    @Test
    void anUnterminatedObjectWaitsForItsEnd() {
        assertEquals(List.of(), feed("{\"execute\":"));
        assertEquals(List.of(), feed("\n\n \"query-version\""));
        assertEquals(List.of("{\"execute\": \"query-version\"}"), feed("}"));
    }

    @Test
    void scalarsAreTextsOfTheirOwn() {
        assertEquals(List.of("[]", "\"query-version\"", "42", "null", "true", "3.5", "-1"),
                feed("[] \"query-version\" 42 null true 3.5 -1 "));
    }

    @Test
    void numbersAsQemuKeepsThem() {
        assertEquals(List.of("1000", "1.5", "0", "-0", "9223372036854775807", "18446744073709551615",
                        "1.8446744073709552e+19", "-9.2233720368547758e+18", "0.10000000000000001", "1e+20", "inf"),
                feed("[1e3][1.50][-0][-0.0][9223372036854775807][18446744073709551615][18446744073709551616]"
                        + "[-9223372036854775809][0.1][1E20][1e999]")
                        .stream().map(s -> s.substring(1, s.length() - 1)).toList());
    }

    @Test
    void lexicalErrorsAndRecovery() {
        // After a lexical error QEMU skips to a structural or control character.
        assertEquals(List.of("error: JSON parse error, stray 'G'", "{}"), feed("Garbage{}"));
        assertEquals(List.of("error: JSON parse error, stray '05'", "error: JSON parse error, expecting value"), feed("[05]"));
        assertEquals(List.of("error: JSON parse error, stray '-x'"), feed("-x 1\n"));
        assertEquals(List.of("error: JSON parse error, stray '%'"), feed("%d\n"));
        assertEquals(List.of("error: JSON parse error, stray '\"a\t'", "\"b\""), feed("\"a\tb\"\n\"b\"\n"));
    }

    @Test
    void parseErrors() {
        assertEquals(List.of("error: JSON parse error, missing : in object pair"), feed("{\"a\" 1}"));
        assertEquals(List.of("error: JSON parse error, key is not a string in object"), feed("{1: 2}"));
        assertEquals(List.of("error: JSON parse error, key is not a string in object"), feed("{[1]: 2}"));
        assertEquals(List.of("error: JSON parse error, expected separator in list"), feed("{[1 2]: 2}"));
        assertEquals(List.of("error: JSON parse error, duplicate key"), feed("{\"a\": 1, \"a\": 2}"));
        assertEquals(List.of("error: JSON parse error, expected separator in list"), feed("[1 2]"));
        assertEquals(List.of("error: JSON parse error, expecting value"), feed("[1,]"));
        assertEquals(List.of("error: JSON parse error, expecting value"), feed("[}"));
        assertEquals(List.of("error: JSON parse error, invalid keyword 'nul'"), feed("[nul]"));
        assertEquals(List.of("error: JSON parse error, \\uD800 is not a valid Unicode character"), feed("\"\\uD800\""));
        assertEquals(List.of("error: JSON parse error, \\uD83D is not a valid Unicode character"), feed("\"\\uD83D\\u0041\""));
        assertEquals(List.of("error: JSON parse error, \\u12\" is not a valid Unicode character"), feed("\"\\u12\""));
        assertEquals(List.of("error: JSON parse error, \\uFFFE is not a valid Unicode character"), feed("\"\\uFFFE\""));
        assertEquals(List.of("error: JSON parse error, invalid UTF-8 sequence in string"), feed(new byte[] {'"', (byte) 0xC3, '"'}));
        assertEquals(List.of("error: JSON parse error, invalid UTF-8 sequence in string"), feed(new byte[] {'"', (byte) 0xC1, (byte) 0x81, '"'}));
    }

    @Test
    void theFirstErrorWinsButTheTextIsReadToItsEnd() {
        assertEquals(List.of("error: JSON parse error, invalid keyword 'bad'"), feed("{\"a\": bad, \"b\": [1 2, }]"));
        String longWord = "a".repeat(2000);
        String detail = ("invalid keyword '" + longWord + "'").substring(0, 1023);
        assertEquals(List.of("error: JSON parse error, " + detail), feed("[" + longWord + "]"));
    }

    @Test
    void stringsAndEscapes() {
        assertEquals(List.of("\"a\\\"b'c\\\\/\\b\\f\\n\\r\\t\\u00E9\\uD83D\\uDE00\\u0000\""),
                feed("'a\"b\\'c\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u0000'"));
        assertEquals(List.of("\"\\u00E9\\u20AC\""), feed("\"é€\""));
        assertEquals(List.of("\"\\u0000\""), feed(new byte[] {'"', (byte) 0xC0, (byte) 0x80, '"'}));
    }

    @Test
    void limitsAreErrorsAndParsingGoesOn() {
        parser = parser(new JsonLimits(32, 8, 3));
        assertEquals(List.of("error: JSON nesting depth limit exceeded", "[[[]]]", "error: JSON parse error, expecting value"),
                feed("[[[[ [[[]]] ]"));
        assertEquals(List.of("error: JSON token count limit exceeded", "5", "error: JSON parse error, expecting value"),
                feed("[1,2,3,4,5]"));
        assertEquals(List.of("error: JSON token size limit exceeded", "error: JSON parse error, invalid keyword 'aaaaaaaaaa'"),
                feed("\"" + "a".repeat(32) + "aaaaaaaaaa\n"));
        assertEquals(List.of("error: JSON token size limit exceeded", "error: JSON parse error, expecting value"),
                feed("{\"aaaaaaaaaa\": \"bbbbbbbbbb\", \"c\": 1}"));
        assertEquals(List.of("{}"), feed("{}"));
    }
}
