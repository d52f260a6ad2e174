package io.vnetd.ops.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;

/**
 * One key of a block of the configuration and the context setting it configures, named as the
 * context's setter: how a block becomes a component's context. The defaults are the context's
 * constants and the block's {@code reference.conf} repeats them; the settings' tests hold every key
 * of the block to its setting's default.
 *
 * @param <C> the context
 */
record Setting<C>(String key, String setting, Reader<C> reader) {

    /** Reads the value at {@code path} of {@code config} into {@code ctx}. */
    @FunctionalInterface
    interface Reader<C> {
        void read(C ctx, Config config, String path);
    }

    /**
     * Reads every one of {@code settings} from block {@code block} of {@code config} into {@code ctx}.
     *
     * @return {@code ctx}, not concluded yet
     * @throws StartupException naming the key of a missing or mistyped value
     */
    static <C> C readAll(List<Setting<C>> settings, Config config, String block, C ctx) {
        for (Setting<C> setting : settings) {
            try {
                setting.reader().read(ctx, config, block + "." + setting.key());
            } catch (ConfigException e) {
                throw new StartupException(e.getMessage());
            }
        }
        return ctx;
    }
}
