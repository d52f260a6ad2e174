package io.vnetd.qmp.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads QAPI schema files the way QEMU's scripts/qapi/parser.py does: a sequence of top-level
 * dicts in JSON syntax with single-quoted strings, {@code #} comments, and {@code ##} doc comment
 * blocks that document the definition right after them. {@code include} directives are expanded in
 * place, paths relative to the including file, each file at most once.
 */
final class QapiReader {

    /** One top-level definition with the doc comment in front of it. */
    record Expression(Map<String, Object> body, Doc doc, String location) {
    }

    private static final Pattern SECTION = Pattern.compile(
            "(Returns|Errors|Since|Notes?|Examples?|Features):\\s*(.*)");
    private static final Pattern ITEM = Pattern.compile("@([^:\\s]+):\\s*(.*)");

    private final Function<String, String> sources;
    private final List<String> included = new ArrayList<>();
    private final List<Expression> expressions = new ArrayList<>();

    private String file;
    private String text;
    private int pos;
    private int line;
    private Doc pendingDoc;

    private QapiReader(Function<String, String> sources) {
        this.sources = sources;
    }

    /**
     * @param sources maps a path (as written in {@code include}, resolved against the including
     *     file's directory) to the file's text, or null if there is none
     */
    static List<Expression> read(Function<String, String> sources, String topFile) {
        QapiReader reader = new QapiReader(sources);
        reader.include(topFile, "<top>");
        return reader.expressions;
    }

    private void include(String path, String from) {
        if (included.contains(path)) {
            return;
        }
        String source = sources.apply(path);
        if (source == null) {
            throw new SchemaException(from + ": can't read include file '" + path + "'");
        }
        included.add(path);
        String outerFile = file;
        String outerText = text;
        int outerPos = pos;
        int outerLine = line;
        file = path;
        text = source;
        pos = 0;
        line = 1;
        pendingDoc = null;
        while (skipSpaceAndComments()) {
            String location = file + ":" + line;
            Object value = value();
            if (!(value instanceof Map<?, ?>)) {
                throw error("expected a definition (a dict)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> body = (Map<String, Object>) value;
            if (body.get("include") instanceof String target) {
                include(resolve(path, target), location);
            } else {
                expressions.add(new Expression(body, pendingDoc == null ? Doc.NONE : pendingDoc, location));
            }
            pendingDoc = null;
        }
        file = outerFile;
        text = outerText;
        pos = outerPos;
        line = outerLine;
    }

    private static String resolve(String includer, String target) {
        int slash = includer.lastIndexOf('/');
        return slash < 0 ? target : includer.substring(0, slash + 1) + target;
    }

    /** Skips blanks and comments, collecting a doc block; false at the end of the file. */
    private boolean skipSpaceAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#') {
                String comment = restOfLine();
                if (comment.equals("##")) {
                    pendingDoc = docBlock();
                }
            } else {
                return true;
            }
        }
        return false;
    }

    private String restOfLine() {
        int end = text.indexOf('\n', pos);
        if (end < 0) {
            end = text.length();
        }
        String s = text.substring(pos, end).stripTrailing();
        pos = end;
        return s;
    }

    /** After an opening {@code ##}: the lines up to the closing {@code ##}. */
    private Doc docBlock() {
        List<String> lines = new ArrayList<>();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated doc comment");
            }
            pos++; // the newline
            line++;
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
            String l = restOfLine();
            if (l.equals("##")) {
                break;
            }
            if (!l.startsWith("#")) {
                throw error("doc comment line must start with '#'");
            }
            lines.add(l.length() > 1 && l.charAt(1) == ' ' ? l.substring(2) : l.substring(1));
        }
        if (lines.isEmpty() || !lines.getFirst().startsWith("@")) {
            return null; // free-form documentation (a section heading), not about a definition
        }
        return parseDoc(lines.subList(1, lines.size()));
    }

    /**
     * Splits a doc comment into its free text, its {@code @member:} items (an item ends at a blank
     * line) and its tagged sections (a section runs to the next tag).
     */
    private static Doc parseDoc(List<String> lines) {
        StringBuilder body = new StringBuilder();
        Map<String, String> members = new LinkedHashMap<>();
        Map<String, String> features = new LinkedHashMap<>();
        List<Doc.Section> sections = new ArrayList<>();
        Map<String, String> items = members;
        String itemKey = null;
        StringBuilder itemText = null;
        String sectionTag = null;
        StringBuilder sectionText = null;
        for (String l : lines) {
            Matcher item = ITEM.matcher(l);
            Matcher section = SECTION.matcher(l);
            if (item.matches() && sectionTag == null) {
                putItem(items, itemKey, itemText);
                itemKey = item.group(1);
                itemText = new StringBuilder(item.group(2));
            } else if (section.matches()) {
                putItem(items, itemKey, itemText);
                itemKey = null;
                addSection(sections, sectionTag, sectionText);
                if (section.group(1).equals("Features")) {
                    items = features;
                    sectionTag = null;
                } else {
                    sectionTag = section.group(1);
                    sectionText = new StringBuilder(section.group(2));
                }
            } else if (sectionTag != null) {
                sectionText.append('\n').append(l);
            } else if (itemKey != null && !l.isBlank()) {
                itemText.append(' ').append(l.strip());
            } else {
                putItem(items, itemKey, itemText);
                itemKey = null;
                body.append('\n').append(l);
            }
        }
        putItem(items, itemKey, itemText);
        addSection(sections, sectionTag, sectionText);
        return new Doc(body.toString().strip().replaceAll("\n{3,}", "\n\n"), members, features, sections);
    }

    private static void putItem(Map<String, String> items, String key, StringBuilder text) {
        if (key != null) {
            items.put(key, text.toString().strip());
        }
    }

    private static void addSection(List<Doc.Section> sections, String tag, StringBuilder text) {
        if (tag != null) {
            sections.add(new Doc.Section(tag, text.toString().stripTrailing().replaceFirst("^\n+", "")));
        }
    }

    private Object value() {
        skipSpaceAndComments();
        if (pos >= text.length()) {
            throw error("unexpected end of file");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> dict();
            case '[' -> list();
            case '\'' -> string();
            default -> {
                if (text.startsWith("true", pos)) {
                    pos += 4;
                    yield Boolean.TRUE;
                }
                if (text.startsWith("false", pos)) {
                    pos += 5;
                    yield Boolean.FALSE;
                }
                throw error("stray '" + c + "'");
            }
        };
    }

    private Map<String, Object> dict() {
        pos++;
        Map<String, Object> dict = new LinkedHashMap<>();
        if (peekPunct() == '}') {
            pos++;
            return dict;
        }
        while (true) {
            skipSpaceAndComments();
            if (pos >= text.length() || text.charAt(pos) != '\'') {
                throw error("expected string key");
            }
            String key = string();
            expectPunct(':');
            if (dict.put(key, value()) != null) {
                throw error("duplicate key '" + key + "'");
            }
            char next = peekPunct();
            pos++;
            if (next == '}') {
                return dict;
            }
            if (next != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> list() {
        pos++;
        List<Object> list = new ArrayList<>();
        if (peekPunct() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value());
            char next = peekPunct();
            pos++;
            if (next == ']') {
                return list;
            }
            if (next != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        int start = ++pos;
        while (pos < text.length() && text.charAt(pos) != '\'') {
            char c = text.charAt(pos);
            if (c == '\\' || c == '\n') {
                throw error(c == '\n' ? "missing terminating \"'\"" : "backslash not allowed in strings");
            }
            pos++;
        }
        if (pos >= text.length()) {
            throw error("missing terminating \"'\"");
        }
        return text.substring(start, pos++);
    }

    private char peekPunct() {
        skipSpaceAndComments();
        if (pos >= text.length()) {
            throw error("unexpected end of file");
        }
        return text.charAt(pos);
    }

    private void expectPunct(char c) {
        if (peekPunct() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private SchemaException error(String message) {
        return new SchemaException(file + ":" + line + ": " + message);
    }
}
