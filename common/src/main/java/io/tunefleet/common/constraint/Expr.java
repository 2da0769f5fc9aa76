package io.tunefleet.common.constraint;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** A node of a parsed constraint; evaluates against one configuration's values. */
public sealed interface Expr {

    /** Value types the checker tells apart; {@code ANY} for a parameter whose choices mix types. */
    enum Type { NUMBER, BOOLEAN, STRING, ANY }

    Object eval(Map<String, Object> values);

    /** Adds the names of the parameters this expression reads to {@code names}. */
    void addNames(Set<String> names);

    record Literal(Object value) implements Expr {
        @Override
        public Object eval(Map<String, Object> values) {
            return value;
        }

        @Override
        public void addNames(Set<String> names) {
        }
    }

    record Name(String name) implements Expr {
        @Override
        public Object eval(Map<String, Object> values) {
            Object v = values.get(name);
            if (v == null) {
                throw new ConstraintException("no value for parameter " + name);
            }
            return v;
        }

        @Override
        public void addNames(Set<String> names) {
            names.add(name);
        }
    }

    record Unary(String op, Expr operand) implements Expr {
        @Override
        public Object eval(Map<String, Object> values) {
            Object v = operand.eval(values);
            return op.equals("-") ? -number(v) : !bool(v);
        }

        @Override
        public void addNames(Set<String> names) {
            operand.addNames(names);
        }
    }

    record Binary(String op, Expr left, Expr right) implements Expr {
        @Override
        public Object eval(Map<String, Object> values) {
            if (op.equals("and")) {
                return bool(left.eval(values)) && bool(right.eval(values));
            }
            if (op.equals("or")) {
                return bool(left.eval(values)) || bool(right.eval(values));
            }
            Object a = left.eval(values);
            Object b = right.eval(values);
            switch (op) {
                case "==":
                    return same(a, b);
                case "!=":
                    return !same(a, b);
                default:
                    break;
            }
            double x = number(a);
            double y = number(b);
            switch (op) {
                case "+": return x + y;
                case "-": return x - y;
                case "*": return x * y;
                case "/": return x / y;
                case "%": return y == 0 ? Double.NaN : x % y;
                case "<": return x < y;
                case "<=": return x <= y;
                case ">": return x > y;
                case ">=": return x >= y;
                default: throw new IllegalStateException("bug: unknown operator " + op);
            }
        }

        @Override
        public void addNames(Set<String> names) {
            left.addNames(names);
            right.addNames(names);
        }
    }

    static double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new ConstraintException("'" + v + "' is not a number");
    }

    static boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ConstraintException("'" + v + "' is not true or false");
    }

    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return Objects.equals(a, b);
    }
}
