package io.vnetd.ops.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Holds a block of {@code reference.conf} to its context's defaults, both ways: every key of the
 * block is read into a setting, every setting of the context has a key (or is one made in code), and
 * the value each key documents is the context's default.
 */
final class ReferenceDefaults {

    private ReferenceDefaults() {
    }

    /**
     * @param keysReadElsewhere  keys of the block that are no context setting (the node reads them)
     * @param settingsMadeInCode settings of the context that no key configures
     */
    static <C> void assertReferenceHoldsTheDefaults(String block, List<Setting<C>> settings, Class<C> context,
                                                    Supplier<C> defaults, Set<String> keysReadElsewhere,
                                                    Set<String> settingsMadeInCode) {
        Config reference = ConfigFactory.defaultReference().resolve();
        assertEquals(new TreeSet<>(reference.getConfig(block).root().keySet()),
                sorted(Stream.concat(settings.stream().map(Setting::key), keysReadElsewhere.stream())),
                "the keys of " + block + " in reference.conf");
        assertEquals(sorted(Arrays.stream(context.getMethods())
                        .filter(m -> m.getDeclaringClass() == context && !Modifier.isStatic(m.getModifiers()))
                        .filter(m -> m.getParameterCount() == 0 && !m.getName().equals("conclude"))
                        .map(Method::getName)),
                sorted(Stream.concat(settings.stream().map(Setting::setting), settingsMadeInCode.stream())),
                "the settings of " + context.getName());
        C documented = Setting.readAll(settings, reference, block, defaults.get());
        C coded = defaults.get();
        for (Setting<C> setting : settings) {
            assertEquals(comparable(get(coded, setting)), comparable(get(documented, setting)),
                    block + "." + setting.key() + " in reference.conf against the context's default");
        }
    }

    private static Set<String> sorted(Stream<String> names) {
        return names.collect(Collectors.toCollection(TreeSet::new));
    }

    private static Object get(Object ctx, Setting<?> setting) {
        try {
            return ctx.getClass().getMethod(setting.setting()).invoke(ctx);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new AssertionError("no getter for " + setting, e);
        }
    }

    /** Arrays by their elements, suppliers (of idle strategies) by what they make. */
    private static Object comparable(Object value) {
        return switch (value) {
            case int[] ints -> Arrays.toString(ints);
            case Supplier<?> supplier -> String.valueOf(supplier.get());
            default -> value;
        };
    }
}
