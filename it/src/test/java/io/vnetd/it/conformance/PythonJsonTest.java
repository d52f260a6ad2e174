package io.vnetd.it.conformance;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;

/** The serialization qmp_run.py gets from Python's json module. */
class PythonJsonTest {

    @Test
    void floatsAreWrittenAsPythonsRepr() {
        assertEquals("1.0", PythonJson.floatRepr(1));
        assertEquals("0.5", PythonJson.floatRepr(0.5));
        assertEquals("-0.0", PythonJson.floatRepr(-0.0));
        assertEquals("15.0", PythonJson.floatRepr(15));
        assertEquals("0.0001", PythonJson.floatRepr(1e-4));
        assertEquals("1e-05", PythonJson.floatRepr(1e-5));
        assertEquals("1234567890123456.0", PythonJson.floatRepr(1234567890123456.0));
        assertEquals("1e+16", PythonJson.floatRepr(1e16));
        assertEquals("1.5e+300", PythonJson.floatRepr(1.5e300));
        assertEquals("0.1", PythonJson.floatRepr(0.1));
        assertEquals("Infinity", PythonJson.floatRepr(Double.POSITIVE_INFINITY));
    }

    @Test
    void commandsAreSentCompactWithNonAsciiEscapedAndKeyOrderKept() throws JsonProcessingException {
        assertEquals("{\"execute\":\"x\",\"arguments\":{\"b\":1,\"a\":[1.5,null,true]},\"id\":\"\\u00e9\\u007f\"}",
                PythonJson.compact(PythonJson.parse("{\"execute\":\"x\",\"arguments\":{\"b\":1,\"a\":[1.5,null,true]},\"id\":\"é\\u007f\"}")));
        assertEquals("9223372036854775808", PythonJson.compact(PythonJson.parse("9223372036854775808")));
        assertEquals("1000.0", PythonJson.compact(PythonJson.parse("1e3")), "json.loads makes 1e3 a float");
    }

    @Test
    void transcriptLinesSortKeysAndKeepUnicode() throws JsonProcessingException {
        assertEquals("{\"a\": \"é\\n\\u0001\", \"b\": [1, 2]}",
                PythonJson.transcriptLine(PythonJson.parse("{\"b\":[1,2],\"a\":\"é\\n\\u0001\"}")));
    }

    @Test
    void parsingIsAsStrictAsJsonLoads() {
        assertThrows(JsonProcessingException.class, () -> PythonJson.parse("{\"a\":1}}"));
        assertEquals("NaN", PythonJson.compact(assertDoesNotThrow(() -> PythonJson.parse("NaN"))));
    }
}
