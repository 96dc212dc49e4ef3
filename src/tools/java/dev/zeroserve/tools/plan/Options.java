package dev.zeroserve.tools.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} pairs of one subcommand; every mistake is an error that names the option. */
final class Options {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    Options(String command, List<String> args) {
        this.command = command;
        for (int i = 0; i < args.size(); i += 2) {
            String name = args.get(i);
            if (!name.startsWith("--") || name.length() == 2) {
                throw new IllegalArgumentException(command + ": expected an option such as --slo-p99-ms, got '" + name + "'");
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(command + ": option " + name + " has no value");
            }
            if (values.put(name.substring(2), args.get(i + 1)) != null) {
                throw new IllegalArgumentException(command + ": option " + name + " is given twice");
            }
        }
    }

    String string(String name, String defaultValue) {
        read.add(name);
        return values.getOrDefault(name, defaultValue);
    }

    String required(String name) {
        String value = string(name, null);
        if (value == null) {
            throw new IllegalArgumentException(command + ": --" + name + " is required");
        }
        return value;
    }

    boolean has(String name) {
        read.add(name);
        return values.containsKey(name);
    }

    Path path(String name, String defaultValue) {
        return Path.of(defaultValue == null ? required(name) : string(name, defaultValue));
    }

    double number(String name, double defaultValue, double min, double max) {
        String text = string(name, null);
        if (text == null) {
            return defaultValue;
        }
        return checked(name, parse(name, text), min, max);
    }

    int integer(String name, int defaultValue, int min, int max) {
        double value = number(name, defaultValue, min, max);
        if (value != Math.rint(value)) {
            throw new IllegalArgumentException(command + ": --" + name + " must be a whole number, got " + value);
        }
        return (int) value;
    }

    List<Double> numbers(String name, String defaultValue, double min, double max) {
        List<Double> list = new ArrayList<>();
        for (String item : string(name, defaultValue).split(",")) {
            list.add(checked(name, parse(name, item.trim()), min, max));
        }
        return list;
    }

    List<Integer> integers(String name, String defaultValue, int min, int max) {
        List<Integer> list = new ArrayList<>();
        for (double value : numbers(name, defaultValue, min, max)) {
            if (value != Math.rint(value)) {
                throw new IllegalArgumentException(command + ": --" + name + " takes whole numbers, got " + value);
            }
            list.add((int) value);
        }
        return list;
    }

    /** Call after reading every option: an option nobody read is a typo. */
    void rejectUnknown() {
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                throw new IllegalArgumentException(command + ": unknown option --" + name + "; known: --"
                        + String.join(", --", read));
            }
        }
    }

    private double parse(String name, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " must be a number, got '" + text + "'");
        }
    }

    private double checked(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(command + ": --" + name + " must be between " + min + " and " + max
                    + ", got " + value);
        }
        return value;
    }
}
