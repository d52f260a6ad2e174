package io.vnetd.ops.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShellSyntaxTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static JsonNode arguments(String line) throws Exception {
        return ShellSyntax.request(line).get("arguments");
    }

    private static String error(String line) {
        return assertThrows(ShellSyntaxException.class, () -> ShellSyntax.request(line)).getMessage();
    }

    @Test
    void aCommandAloneHasEmptyArguments() throws Exception {
        assertEquals(json("{\"execute\": \"query-version\", \"arguments\": {}}"), ShellSyntax.request("  query-version "));
    }

    @Test
    void keyValuePairsBecomeArgumentsWithNumbersAsNumbers() throws Exception {
        assertEquals(json("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h0\", \"hubid\": 0}}"),
                ShellSyntax.request("netdev_add type=hubport id=h0 hubid=0"));
    }

    @Test
    void numbersAreJsonNumbers() throws Exception {
        assertEquals(json("{\"a\": -3, \"b\": 5, \"c\": 1.5, \"d\": 25000000000000000000, \"e\": 1000.0, \"f\": 7}"),
                arguments("x a=-3 b=+5 c=1.5 d=25000000000000000000 e=1e3 f=007"));
    }

    @Test
    void trueAndFalseInAnyCaseAreBooleansAndNullIsText() throws Exception {
        assertEquals(json("{\"a\": true, \"b\": false, \"c\": true, \"d\": \"null\"}"), arguments("x a=true b=false c=TRUE d=null"));
    }

    @Test
    void listsAndObjectsAreJsonWithSingleQuotesAllowed() throws Exception {
        assertEquals(json("{\"a\": [1, \"two\", {\"b\": null}], \"c\": {\"d\": \"e\", \"f\": [true]}}"),
                arguments("x a=[1,\"two\",{\"b\":null}] c={'d':'e','f':[true]}"));
    }

    @Test
    void aQuotedValueIsAStringWithoutItsQuotes() throws Exception {
        assertEquals(json("{\"comment\": \"hello world\", \"id\": \"5\", \"other\": \"x y\", \"raw\": \"a=b c\"}"),
                arguments("x comment=\"hello world\" id=\"5\" other='x y' raw=\"a=b c\""));
    }

    @Test
    void anythingElseIsTextAsWritten() throws Exception {
        assertEquals(json("{\"addr\": \"::1\", \"mac\": \"52:54:00:12:34:56\", \"eq\": \"b=c\", \"dash\": \"-\", \"q\": \"a\\\"b\\\"\"}"),
                arguments("x addr=::1 mac=52:54:00:12:34:56 eq=b=c dash=- q=a\"b\""));
    }

    @Test
    void anEmptyValueIsAnEmptyString() throws Exception {
        assertEquals(json("{\"script\": \"\"}"), arguments("x script="));
    }

    @Test
    void dottedKeysNest() throws Exception {
        assertEquals(json("{\"type\": \"stream\", \"addr\": {\"type\": \"inet\", \"host\": \"::1\", \"port\": \"5555\"}, \"a\": {\"b\": {\"c\": 1}}}"),
                arguments("netdev_add type=stream addr.type=inet addr.host=::1 addr.port=\"5555\" a.b.c=1"));
    }

    @Test
    void aRawJsonLineIsSentAsItIs() throws Exception {
        String line = "{\"execute\": \"netdev_del\", \"arguments\": {\"id\": \"h0\"}, \"id\": 7}";
        assertEquals(json(line), ShellSyntax.request(line));
    }

    @Test
    void aBlankLineIsNoRequest() throws Exception {
        assertNull(ShellSyntax.request("   "));
    }

    @Test
    void aWordWithoutEqualsIsAnError() {
        assertEquals("Expected a key=value pair, got 'bar'", error("foo bar"));
    }

    @Test
    void aKeyGivenTwiceIsAnError() {
        assertEquals("Cannot set \"id\" multiple times", error("netdev_add id=a id=b"));
        assertEquals("Cannot set \"addr.host\" multiple times", error("netdev_add addr.host=a addr.host=b"));
    }

    @Test
    void aKeyUsedAsLeafAndAsObjectIsAnError() {
        assertEquals("Cannot use \"addr\" as both leaf and non-leaf key", error("x addr=1 addr.host=a"));
        assertEquals("Cannot use \"addr\" as both leaf and non-leaf key", error("x addr.host=a addr=1"));
        assertEquals("Cannot use \"a.b\" as both leaf and non-leaf key", error("x a.b=1 a.b.c=2"));
    }

    @Test
    void anEmptyKeyOrKeyPartIsAnError() {
        assertEquals("Expected a key=value pair with a key, got '=5'", error("x =5"));
        assertEquals("Expected a key=value pair with a key, got 'a..b=1'", error("x a..b=1"));
        assertEquals("Expected a key=value pair with a key, got 'a.=1'", error("x a.=1"));
    }

    @Test
    void aValueThatStartsLikeJsonButIsNotIsAnError() {
        String message = error("x a=[1,");
        assertTrue(message.startsWith("The value of \"a\" is not valid JSON: "), message);
        assertTrue(message.endsWith("(quote it to send it as a string)"), message);
    }

    @Test
    void anUnterminatedQuoteIsAnError() {
        assertEquals("Unterminated quote \" in '\"hello world'", error("x comment=\"hello world"));
    }

    @Test
    void anInvalidRawJsonLineIsAnError() {
        assertTrue(error("{\"execute\": ").startsWith("Not a valid JSON request: "));
        assertTrue(error("{\"execute\": \"a\"} trailing").startsWith("Not a valid JSON request: "));
    }

    @Test
    void wordsKeepQuotedBlanksAndEscapedQuotes() throws Exception {
        assertEquals(List.of("a", "b=\"c \\\" d\"", "e='f g'"), ShellSyntax.words(" a  b=\"c \\\" d\"\te='f g' "));
    }

    @Test
    void humanMonitorLinesAreWrappedWhole() throws Exception {
        assertEquals(json("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info network\"}}"),
                ShellSyntax.humanMonitorRequest(" info network\n"));
    }
}
