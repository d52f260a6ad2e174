package io.vnetd.qmp.schema;

import java.util.List;

/**
 * Renders the schema as a Markdown reference ({@code docs/qmp-reference.md}, which
 * {@link ReferenceDocsTest} keeps in sync): commands, events, then types, each with its doc comment,
 * its members and their types. Generated, so it cannot drift from what the server accepts.
 */
final class SchemaDocs {

    private final Schema schema;
    private final StringBuilder out = new StringBuilder();

    private SchemaDocs(Schema schema) {
        this.schema = schema;
    }

    static String markdown(Schema schema) {
        SchemaDocs docs = new SchemaDocs(schema);
        docs.render();
        return docs.out.toString();
    }

    private void render() {
        out.append("# vnetd QMP reference\n\n")
                .append("Generated from vnetd's QAPI schema; the server checks every argument against it.\n");
        out.append("\n## Commands\n");
        schema.commands().forEach(this::command);
        out.append("\n## Events\n");
        schema.events().forEach(this::event);
        out.append("\n## Types\n");
        for (SchemaEntity entity : schema.definitions()) {
            if (entity instanceof QapiType type) {
                type(type);
            }
        }
    }

    private void command(Command c) {
        heading("command", c.name(), "");
        body(c.doc());
        features(c.features(), c.doc());
        if (c.boxed()) {
            out.append("\nArguments: the members of ").append(ref(c.argType())).append(".\n");
        } else if (!c.argType().equals(Schema.EMPTY_TYPE)) {
            out.append("\nArguments:\n\n");
            members((ObjectType) schema.type(c.argType()), c.doc());
        }
        if (!c.generated()) {
            out.append("\nAny further arguments are passed to the command unchecked.\n");
        }
        if (!c.retType().equals(Schema.EMPTY_TYPE)) {
            out.append("\nReturns: ").append(ref(c.retType())).append('\n');
        }
        if (c.allowOob()) {
            out.append("\nMay run out of band.\n");
        }
        sections(c.doc());
    }

    private void event(Event e) {
        heading("event", e.name(), "");
        body(e.doc());
        features(e.features(), e.doc());
        if (!e.argType().equals(Schema.EMPTY_TYPE)) {
            out.append("\nData:\n\n");
            members((ObjectType) schema.type(e.argType()), e.doc());
        }
        sections(e.doc());
    }

    private void type(QapiType type) {
        switch (type) {
            case EnumType e -> {
                heading("type", e.name(), " (enum)");
                body(e.doc());
                out.append("\n| Value | Description |\n|---|---|\n");
                for (EnumType.EnumMember m : e.members()) {
                    out.append("| `").append(m.name()).append("` | ").append(cell(e.doc().members().get(m.name()))).append(" |\n");
                }
            }
            case ObjectType o -> {
                String kind = o.variants().map(v -> " (union, discriminator `" + v.tag() + "`)").orElse(" (struct)");
                heading("type", o.name(), kind);
                body(o.doc());
                features(o.features(), o.doc());
                out.append('\n');
                members(o, o.doc());
                o.variants().ifPresent(variants -> {
                    out.append("\n| When `").append(variants.tag()).append("` is | Further members |\n|---|---|\n");
                    for (Variant v : variants.branches()) {
                        String members = v.type().equals(Schema.EMPTY_TYPE) ? "none" : ref(v.type());
                        out.append("| `").append(v.name()).append("` | ").append(members).append(" |\n");
                    }
                });
            }
            case AlternateType a -> {
                heading("type", a.name(), " (alternate)");
                body(a.doc());
                out.append("\nOne of:\n\n");
                for (Variant v : a.branches()) {
                    out.append("- ").append(ref(v.type())).append(": ").append(cell(a.doc().members().get(v.name()))).append('\n');
                }
            }
            default -> throw new IllegalStateException("not a named definition: " + type.name());
        }
        sections(type.doc());
    }

    private void members(ObjectType type, Doc doc) {
        if (type.members().isEmpty()) {
            out.append("none\n");
            return;
        }
        out.append("| Member | Type | Optional | Description |\n|---|---|---|---|\n");
        for (Member m : type.members()) {
            out.append("| `").append(m.name()).append("` | ").append(ref(m.type())).append(" | ")
                    .append(m.optional() ? "yes" : "no").append(" | ").append(cell(doc.members().get(m.name())));
            if (!m.features().isEmpty()) {
                out.append(" (").append(String.join(", ", m.features())).append(')');
            }
            out.append(" |\n");
        }
    }

    private void heading(String kind, String name, String suffix) {
        out.append("\n<a id=\"").append(kind).append('-').append(name).append("\"></a>\n### `")
                .append(name).append('`').append(suffix).append('\n');
    }

    private void body(Doc doc) {
        if (!doc.body().isEmpty()) {
            out.append('\n').append(doc.body()).append('\n');
        }
    }

    private void features(List<String> features, Doc doc) {
        for (String feature : features) {
            out.append("\nFeature `").append(feature).append("`: ").append(cell(doc.features().get(feature))).append('\n');
        }
    }

    private void sections(Doc doc) {
        for (Doc.Section s : doc.sections()) {
            if (s.tag().startsWith("Example")) {
                out.append('\n').append(s.tag()).append(":\n\n```\n").append(s.text().stripIndent()).append("\n```\n");
            } else {
                out.append('\n').append(s.tag()).append(": ").append(s.text()).append('\n');
            }
        }
    }

    /** A type as a link to its definition; built-in types and arrays of them as plain names. */
    private String ref(String typeName) {
        QapiType type = schema.type(typeName);
        return switch (type) {
            case BuiltinType b -> "`" + b.name() + "`";
            case ArrayType a -> "list of " + ref(a.elementType());
            default -> "[`" + type.name() + "`](#type-" + type.name() + ")";
        };
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
