package org.crmsync.salesforce;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The part of SOQL the simulator understands, checked the way Salesforce checks it: {@code SELECT
 * fields FROM Contact [WHERE ...] [ORDER BY ...] [LIMIT n]}, with {@code AND}/{@code OR}/{@code NOT},
 * parentheses (mixing AND and OR without them is an error), {@code = != <> < <= > >=}, {@code IN} and
 * {@code NOT IN}; string literals in single quotes with backslash escapes (an unknown escape is an
 * error), unquoted datetime literals (a quoted one, for a datetime field, is the INVALID_FIELD error
 * Salesforce gives), {@code true}, {@code false}, {@code null}. Field names are case-insensitive;
 * text comparisons too.
 */
final class SimulatedSoql {
    /** A SOQL error as Salesforce reports it: HTTP 400 with an errorCode. */
    static final class SoqlException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String errorCode;

        SoqlException(String errorCode, String message) {
            super(message);
            this.errorCode = errorCode;
        }
    }

    /** A field as the query sees it: its canonical name, type, and whether it can be filtered. */
    record FieldInfo(String name, String type, boolean filterable) {
    }

    /** A parsed query. */
    record Query(List<String> fields, Predicate<Map<String, Object>> where, Comparator<Map<String, Object>> order,
            int limit) {
    }

    private enum Kind { IDENT, STRING, DATETIME, NUMBER, OP, LPAREN, RPAREN, COMMA, EOF }

    private record Token(Kind kind, String text, int position) {
        boolean is(String keyword) {
            return kind == Kind.IDENT && text.equalsIgnoreCase(keyword);
        }
    }

    private final String soql;
    private final Function<String, Optional<FieldInfo>> fields;
    private final List<Token> tokens;
    private int at;

    private SimulatedSoql(String soql, Function<String, Optional<FieldInfo>> fields) {
        this.soql = soql;
        this.fields = fields;
        this.tokens = lex(soql);
    }

    /**
     * @param fields the Contact field of a name, ignoring case
     * @throws SoqlException as Salesforce would answer the statement
     */
    static Query parse(String soql, Function<String, Optional<FieldInfo>> fields) {
        return new SimulatedSoql(soql, fields).query();
    }

    private Query query() {
        expectKeyword("SELECT");
        List<String> selected = new ArrayList<>();
        do {
            selected.add(field(next()).name());
        } while (accept(Kind.COMMA));
        expectKeyword("FROM");
        Token object = next();
        if (object.kind != Kind.IDENT || !object.text.equalsIgnoreCase("Contact")) {
            throw new SoqlException("INVALID_TYPE", "sObject type '" + object.text + "' is not supported.");
        }
        Predicate<Map<String, Object>> where = r -> true;
        if (peek().is("WHERE")) {
            next();
            where = condition();
        }
        Comparator<Map<String, Object>> order = (a, b) -> 0;
        if (peek().is("ORDER")) {
            next();
            expectKeyword("BY");
            List<Comparator<Map<String, Object>>> parts = new ArrayList<>();
            do {
                FieldInfo f = field(next());
                boolean descending = false;
                if (peek().is("ASC")) {
                    next();
                } else if (peek().is("DESC")) {
                    next();
                    descending = true;
                }
                // Ascending puts nulls first, as SOQL does by default.
                Comparator<Map<String, Object>> c = (a, b) -> compare(f, a.get(f.name()), b.get(f.name()));
                parts.add(descending ? c.reversed() : c);
            } while (accept(Kind.COMMA));
            order = parts.stream().reduce(Comparator::thenComparing).orElse(order);
        }
        int limit = Integer.MAX_VALUE;
        if (peek().is("LIMIT")) {
            next();
            Token n = next();
            if (n.kind != Kind.NUMBER) {
                throw malformed(n);
            }
            limit = Integer.parseInt(n.text);
        }
        if (peek().kind != Kind.EOF) {
            throw malformed(peek());
        }
        return new Query(List.copyOf(selected), where, order, limit);
    }

    private Predicate<Map<String, Object>> condition() {
        List<Predicate<Map<String, Object>>> operands = new ArrayList<>();
        operands.add(unary());
        String joiner = null;
        while (peek().is("AND") || peek().is("OR")) {
            Token op = next();
            String word = op.text.toUpperCase(Locale.ROOT);
            if (joiner != null && !joiner.equals(word)) {
                // SOQL needs parentheses to mix AND and OR.
                throw new SoqlException("MALFORMED_QUERY", "unexpected token: '" + op.text + "' at column "
                        + (op.position + 1) + " (use parentheses to mix AND and OR)");
            }
            joiner = word;
            operands.add(unary());
        }
        if (operands.size() == 1) {
            return operands.get(0);
        }
        return "AND".equals(joiner) ? r -> operands.stream().allMatch(p -> p.test(r))
                : r -> operands.stream().anyMatch(p -> p.test(r));
    }

    private Predicate<Map<String, Object>> unary() {
        if (peek().is("NOT")) {
            next();
            Predicate<Map<String, Object>> inner = unary();
            return inner.negate();
        }
        if (accept(Kind.LPAREN)) {
            Predicate<Map<String, Object>> inner = condition();
            expect(Kind.RPAREN);
            return inner;
        }
        FieldInfo f = field(next());
        if (!f.filterable()) {
            throw new SoqlException("INVALID_FIELD", "field '" + f.name() + "' can not be filtered in a query call");
        }
        boolean negated = false;
        if (peek().is("NOT")) {
            next();
            negated = true;
            if (!peek().is("IN")) {
                throw malformed(peek());
            }
        }
        if (peek().is("IN")) {
            next();
            expect(Kind.LPAREN);
            List<Object> values = new ArrayList<>();
            do {
                values.add(value(f, next()));
            } while (accept(Kind.COMMA));
            expect(Kind.RPAREN);
            boolean not = negated;
            // Equal under compare() is equal comparable keys: a set answers a long IN list at once.
            java.util.Set<Object> keys = new java.util.HashSet<>();
            boolean withNull = false;
            for (Object v : values) {
                if (v == null) {
                    withNull = true;
                } else {
                    keys.add(comparable(f, v));
                }
            }
            boolean nullMatches = withNull;
            return r -> {
                Object actual = r.get(f.name());
                return not != (actual == null ? nullMatches : keys.contains(comparable(f, actual)));
            };
        }
        Token op = next();
        if (op.kind != Kind.OP) {
            throw malformed(op);
        }
        Object v = value(f, next());
        switch (op.text) {
            case "=": return r -> compare(f, r.get(f.name()), v) == 0;
            case "!=":
            case "<>": return r -> compare(f, r.get(f.name()), v) != 0;
            case "<": return r -> r.get(f.name()) != null && compare(f, r.get(f.name()), v) < 0;
            case "<=": return r -> r.get(f.name()) != null && compare(f, r.get(f.name()), v) <= 0;
            case ">": return r -> r.get(f.name()) != null && compare(f, r.get(f.name()), v) > 0;
            case ">=": return r -> r.get(f.name()) != null && compare(f, r.get(f.name()), v) >= 0;
            default: throw malformed(op);
        }
    }

    /** A literal for field {@code f}; the types must agree as they do in Salesforce. */
    private Object value(FieldInfo f, Token t) {
        if (t.is("null")) {
            return null;
        }
        boolean datetime = "datetime".equals(f.type());
        switch (t.kind) {
            case STRING:
                if (datetime) {
                    throw new SoqlException("INVALID_FIELD", "value of filter criterion for field '" + f.name()
                            + "' must be of type dateTime and should not be enclosed in quotes");
                }
                if ("boolean".equals(f.type())) {
                    throw new SoqlException("INVALID_FIELD", "value of filter criterion for field '" + f.name()
                            + "' must be of type boolean and should not be enclosed in quotes");
                }
                return "id".equals(f.type()) ? SalesforceIds.to18(t.text).orElseThrow(() -> new SoqlException(
                        "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: " + t.text)) : t.text;
            case DATETIME:
                if (!datetime) {
                    throw new SoqlException("INVALID_FIELD", "value of filter criterion for field '" + f.name()
                            + "' must be of type " + f.type() + " and should be enclosed in quotes");
                }
                try {
                    return OffsetDateTime.parse(t.text).toInstant();
                } catch (DateTimeParseException e) {
                    throw new SoqlException("MALFORMED_QUERY", "line 1:" + t.position + " no viable alternative at"
                            + " character '" + t.text + "'");
                }
            case NUMBER:
                return t.text;
            case IDENT:
                if (t.is("true") || t.is("false")) {
                    if (!"boolean".equals(f.type())) {
                        throw new SoqlException("INVALID_FIELD", "value of filter criterion for field '" + f.name()
                                + "' must be of type " + f.type() + " and should be enclosed in quotes");
                    }
                    return Boolean.valueOf(t.text.toLowerCase(Locale.ROOT));
                }
                throw malformed(t);
            default:
                throw malformed(t);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(FieldInfo f, Object actual, Object literal) {
        if (actual == null || literal == null) {
            return actual == literal ? 0 : (actual == null ? -1 : 1);
        }
        Comparable a = comparable(f, actual);
        Comparable b = comparable(f, literal);
        return a.compareTo(b);
    }

    /** Text compares ignoring case, as SOQL does; datetimes and booleans by value. */
    private static Comparable<?> comparable(FieldInfo f, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant || value instanceof Boolean) {
            return (Comparable<?>) value;
        }
        return value.toString().toLowerCase(Locale.ROOT);
    }

    private FieldInfo field(Token t) {
        if (t.kind != Kind.IDENT) {
            throw malformed(t);
        }
        // Salesforce repeats the statement, a caret under the column, then the error.
        return fields.apply(t.text).orElseThrow(() -> new SoqlException("INVALID_FIELD", "\n" + soql + "\n"
                + " ".repeat(t.position) + "^\nERROR at Row:1:Column:" + (t.position + 1) + "\nNo such column '"
                + t.text + "' on entity 'Contact'. If you are attempting to use a custom field, be sure to append"
                + " the '__c' after the custom field name. Please reference your WSDL or the describe call for the"
                + " appropriate names."));
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token next() {
        Token t = tokens.get(at);
        if (t.kind != Kind.EOF) {
            at++;
        }
        return t;
    }

    private boolean accept(Kind kind) {
        if (peek().kind == kind) {
            next();
            return true;
        }
        return false;
    }

    private void expect(Kind kind) {
        if (!accept(kind)) {
            throw malformed(peek());
        }
    }

    private void expectKeyword(String keyword) {
        if (!peek().is(keyword)) {
            throw malformed(peek());
        }
        next();
    }

    private SoqlException malformed(Token t) {
        return new SoqlException("MALFORMED_QUERY", "\n" + soql + "\nERROR at Row:1:Column:" + (t.position + 1)
                + "\nunexpected token: " + (t.kind == Kind.EOF ? "<EOF>" : "'" + t.text + "'"));
    }

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ',') {
                out.add(new Token(c == '(' ? Kind.LPAREN : c == ')' ? Kind.RPAREN : Kind.COMMA, String.valueOf(c), i));
                i++;
            } else if (c == '=' || c == '<' || c == '>' || c == '!') {
                int start = i++;
                if (i < s.length() && (s.charAt(i) == '=' || (c == '<' && s.charAt(i) == '>'))) {
                    i++;
                }
                String op = s.substring(start, i);
                if (op.equals("!")) {
                    throw new SoqlException("MALFORMED_QUERY", "line 1:" + start + " no viable alternative at character '!'");
                }
                out.add(new Token(Kind.OP, op, start));
            } else if (c == '\'') {
                int start = i++;
                StringBuilder text = new StringBuilder();
                boolean closed = false;
                while (i < s.length()) {
                    char d = s.charAt(i++);
                    if (d == '\'') {
                        closed = true;
                        break;
                    }
                    if (d != '\\') {
                        text.append(d);
                        continue;
                    }
                    if (i >= s.length()) {
                        break;
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n': case 'N': text.append('\n'); break;
                        case 'r': case 'R': text.append('\r'); break;
                        case 't': case 'T': text.append('\t'); break;
                        case 'b': case 'B': text.append('\b'); break;
                        case 'f': case 'F': text.append('\f'); break;
                        case '"': text.append('"'); break;
                        case '\'': text.append('\''); break;
                        case '\\': text.append('\\'); break;
                        case 'u':
                            if (i + 4 > s.length()) {
                                throw new SoqlException("MALFORMED_QUERY", "Invalid string literal: bad \\u escape");
                            }
                            text.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                            break;
                        default:
                            throw new SoqlException("MALFORMED_QUERY", "line 1:" + start + " Invalid string literal '"
                                    + s.substring(start, Math.min(s.length(), i)) + "'. Illegal character sequence '\\"
                                    + e + "' in string literal.");
                    }
                }
                if (!closed) {
                    throw new SoqlException("MALFORMED_QUERY", "line 1:" + start + " mismatched character '<EOF>'"
                            + " expecting '''");
                }
                out.add(new Token(Kind.STRING, text.toString(), start));
            } else if (Character.isDigit(c) || c == '-') {
                int start = i++;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || ":+.-".indexOf(s.charAt(i)) >= 0)) {
                    i++;
                }
                String text = s.substring(start, i);
                out.add(new Token(text.contains("T") ? Kind.DATETIME : Kind.NUMBER, text, start));
            } else if (Character.isLetter(c)) {
                int start = i++;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
                        || s.charAt(i) == '.')) {
                    i++;
                }
                out.add(new Token(Kind.IDENT, s.substring(start, i), start));
            } else {
                throw new SoqlException("MALFORMED_QUERY", "line 1:" + i + " no viable alternative at character '"
                        + c + "'");
            }
        }
        out.add(new Token(Kind.EOF, "", s.length()));
        return out;
    }
}
