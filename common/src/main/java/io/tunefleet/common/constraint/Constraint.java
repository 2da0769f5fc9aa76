package io.tunefleet.common.constraint;

import io.tunefleet.common.param.ChoiceParameter;
import io.tunefleet.common.param.Parameter;
import io.tunefleet.common.param.ParameterSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One constraint of a task, e.g. {@code tp-size * dp-size <= 8}: numbers, quoted strings,
 * {@code true}/{@code false}, parameter names (dashes included), {@code + - * / %}, comparisons,
 * {@code and or not} (also {@code && || !}) and parentheses. Parsed and type-checked once against
 * the task's parameters; evaluated by a tree walk, never by a script engine.
 *
 * <p>A minus sign right after a letter or digit belongs to the name ({@code tp-size}); the longest
 * parameter name of the task that matches wins, so {@code tp-size-1} reads as {@code tp-size - 1}
 * when {@code tp-size} is a parameter. Division or modulo by zero makes the constraint false.
 */
public record Constraint(String source, Expr expr) {

    /** Far longer than a real constraint; parsing and evaluating recurse, so the length bounds their depth. */
    public static final int MAX_LENGTH = 500;

    /**
     * Parses and type-checks {@code source} against {@code parameters}.
     *
     * @throws ConstraintException naming the unknown parameter, the syntax error and its column, or
     *                             the type mismatch
     */
    public static Constraint parse(String source, List<Parameter> parameters) {
        if (source.length() > MAX_LENGTH) {
            // Parsing and evaluating recurse once per nesting level or operand: bounded, they cannot
            // overflow a thread's stack.
            throw new ConstraintException("is " + source.length() + " characters long; at most " + MAX_LENGTH);
        }
        Map<String, Expr.Type> types = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            types.put(p.name(), typeOf(p));
        }
        return new Constraint(source, new Parser(source, types).parseConstraint());
    }

    /** True when the configuration satisfies the constraint. */
    public boolean test(ParameterSet config) {
        try {
            Object v = expr.eval(config.values());
            return v instanceof Boolean b && b;
        } catch (ConstraintException e) {
            return false;
        }
    }

    /** The parameters the constraint reads: whether a configuration satisfies it depends on these alone. */
    public Set<String> parameters() {
        Set<String> names = new HashSet<>();
        expr.addNames(names);
        return names;
    }

    @Override
    public String toString() {
        return source;
    }

    private static Expr.Type typeOf(Parameter p) {
        if (!(p instanceof ChoiceParameter c)) {
            return Expr.Type.NUMBER;
        }
        Expr.Type t = null;
        for (Object v : c.values()) {
            Expr.Type vt = v instanceof Number ? Expr.Type.NUMBER : v instanceof Boolean ? Expr.Type.BOOLEAN
                    : Expr.Type.STRING;
            if (t != null && t != vt) {
                return Expr.Type.ANY;
            }
            t = vt;
        }
        return t;
    }

    /** Recursive descent: or > and > not > comparison > additive > multiplicative > unary > primary. */
    private static final class Parser {

        private record Typed(Expr expr, Expr.Type type) {
        }

        private final String src;
        private final Map<String, Expr.Type> types;
        private final List<String> namesLongestFirst;
        private int pos;

        Parser(String src, Map<String, Expr.Type> types) {
            this.src = src;
            this.types = types;
            this.namesLongestFirst = new ArrayList<>(types.keySet());
            namesLongestFirst.sort(Comparator.comparingInt(String::length).reversed());
        }

        Expr parseConstraint() {
            Typed t = or();
            skipSpace();
            if (pos < src.length()) {
                throw error("unexpected '" + src.charAt(pos) + "'");
            }
            if (t.type != Expr.Type.BOOLEAN && t.type != Expr.Type.ANY) {
                throw new ConstraintException("must be a comparison or a condition, not a bare value");
            }
            return t.expr;
        }

        private Typed or() {
            Typed left = and();
            while (acceptWord("or") || accept("||")) {
                Typed right = and();
                left = logical("or", left, right);
            }
            return left;
        }

        private Typed and() {
            Typed left = not();
            while (acceptWord("and") || accept("&&")) {
                Typed right = not();
                left = logical("and", left, right);
            }
            return left;
        }

        private Typed not() {
            if (acceptWord("not") || acceptBang()) {
                Typed operand = not();
                expect(operand, Expr.Type.BOOLEAN, "not");
                return new Typed(new Expr.Unary("not", operand.expr), Expr.Type.BOOLEAN);
            }
            return comparison();
        }

        private Typed comparison() {
            Typed left = additive();
            for (String op : List.of("<=", ">=", "==", "!=", "<", ">")) {
                if (accept(op)) {
                    Typed right = additive();
                    if (op.equals("==") || op.equals("!=")) {
                        if (left.type != right.type && left.type != Expr.Type.ANY && right.type != Expr.Type.ANY) {
                            throw new ConstraintException("'" + op + "' compares a " + name(left.type) + " with a "
                                    + name(right.type));
                        }
                    } else {
                        expect(left, Expr.Type.NUMBER, op);
                        expect(right, Expr.Type.NUMBER, op);
                    }
                    return new Typed(new Expr.Binary(op, left.expr, right.expr), Expr.Type.BOOLEAN);
                }
            }
            return left;
        }

        private Typed additive() {
            Typed left = multiplicative();
            while (true) {
                String op = accept("+") ? "+" : accept("-") ? "-" : null;
                if (op == null) {
                    return left;
                }
                left = arithmetic(op, left, multiplicative());
            }
        }

        private Typed multiplicative() {
            Typed left = unary();
            while (true) {
                String op = accept("*") ? "*" : accept("/") ? "/" : accept("%") ? "%" : null;
                if (op == null) {
                    return left;
                }
                left = arithmetic(op, left, unary());
            }
        }

        private Typed unary() {
            if (accept("-")) {
                Typed operand = unary();
                expect(operand, Expr.Type.NUMBER, "-");
                return new Typed(new Expr.Unary("-", operand.expr), Expr.Type.NUMBER);
            }
            return primary();
        }

        private Typed primary() {
            skipSpace();
            if (pos >= src.length()) {
                throw error("expression ends too early");
            }
            char c = src.charAt(pos);
            if (c == '(') {
                pos++;
                Typed inner = or();
                if (!accept(")")) {
                    throw error("missing ')'");
                }
                return inner;
            }
            if (Character.isDigit(c) || c == '.') {
                return number();
            }
            if (c == '\'' || c == '"') {
                int end = src.indexOf(c, pos + 1);
                if (end < 0) {
                    throw error("unterminated string");
                }
                String s = src.substring(pos + 1, end);
                pos = end + 1;
                return new Typed(new Expr.Literal(s), Expr.Type.STRING);
            }
            if (isNameStart(c)) {
                return name();
            }
            throw error("unexpected '" + c + "'");
        }

        private Typed number() {
            int start = pos;
            while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '.')) {
                pos++;
            }
            if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
                int save = pos++;
                if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                    while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                        pos++;
                    }
                } else {
                    pos = save;
                }
            }
            String text = src.substring(start, pos);
            try {
                return new Typed(new Expr.Literal(Double.parseDouble(text)), Expr.Type.NUMBER);
            } catch (NumberFormatException e) {
                throw new ConstraintException("'" + text + "' at column " + (start + 1) + " is not a number");
            }
        }

        private Typed name() {
            int start = pos;
            for (String known : namesLongestFirst) {
                if (src.startsWith(known, pos) && !continuesName(pos + known.length())) {
                    pos += known.length();
                    return new Typed(new Expr.Name(known), types.get(known));
                }
            }
            while (pos < src.length() && (isNamePart(src.charAt(pos))
                    || (src.charAt(pos) == '-' && pos + 1 < src.length() && isNamePart(src.charAt(pos + 1))
                    && pos > start && isNamePart(src.charAt(pos - 1))))) {
                pos++;
            }
            String word = src.substring(start, pos);
            switch (word) {
                case "true":
                    return new Typed(new Expr.Literal(true), Expr.Type.BOOLEAN);
                case "false":
                    return new Typed(new Expr.Literal(false), Expr.Type.BOOLEAN);
                default:
                    throw new ConstraintException("unknown parameter '" + word + "' at column " + (start + 1)
                            + "; parameters are " + String.join(", ", types.keySet())
                            + (word.contains("-") ? " (put spaces around '-' to subtract)" : ""));
            }
        }

        private boolean continuesName(int at) {
            return at < src.length() && isNamePart(src.charAt(at));
        }

        private static boolean isNameStart(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        }

        private static boolean isNamePart(char c) {
            return isNameStart(c) || Character.isDigit(c);
        }

        private Typed arithmetic(String op, Typed left, Typed right) {
            expect(left, Expr.Type.NUMBER, op);
            expect(right, Expr.Type.NUMBER, op);
            return new Typed(new Expr.Binary(op, left.expr, right.expr), Expr.Type.NUMBER);
        }

        private Typed logical(String op, Typed left, Typed right) {
            expect(left, Expr.Type.BOOLEAN, op);
            expect(right, Expr.Type.BOOLEAN, op);
            return new Typed(new Expr.Binary(op, left.expr, right.expr), Expr.Type.BOOLEAN);
        }

        private void expect(Typed t, Expr.Type type, String op) {
            if (t.type != type && t.type != Expr.Type.ANY) {
                throw new ConstraintException("'" + op + "' needs " + name(type) + " operands, got a " + name(t.type));
            }
        }

        private static String name(Expr.Type t) {
            return t == Expr.Type.BOOLEAN ? "true/false" : t.name().toLowerCase(java.util.Locale.ROOT);
        }

        private boolean accept(String token) {
            skipSpace();
            if (src.startsWith(token, pos)) {
                // '<' must not swallow the first half of '<=', '!' the first half of '!='
                pos += token.length();
                return true;
            }
            return false;
        }

        private boolean acceptBang() {
            skipSpace();
            if (pos < src.length() && src.charAt(pos) == '!' && !src.startsWith("!=", pos)) {
                pos++;
                return true;
            }
            return false;
        }

        private boolean acceptWord(String word) {
            skipSpace();
            if (src.startsWith(word, pos) && !continuesName(pos + word.length())
                    && !types.containsKey(word)) {
                pos += word.length();
                return true;
            }
            return false;
        }

        private void skipSpace() {
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
        }

        private ConstraintException error(String message) {
            return new ConstraintException(message + " at column " + (pos + 1));
        }
    }
}
