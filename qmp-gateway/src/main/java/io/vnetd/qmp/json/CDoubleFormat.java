package io.vnetd.qmp.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** C's {@code printf("%.17g")}, which QEMU's JSON writer uses for every non-integer number. */
public final class CDoubleFormat {

    private static final int PRECISION = 17;
    private static final MathContext SIGNIFICANT = new MathContext(PRECISION, RoundingMode.HALF_EVEN);

    private CDoubleFormat() {
    }

    public static String format(double value) {
        if (Double.isNaN(value)) {
            return Double.doubleToRawLongBits(value) < 0 ? "-nan" : "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
        }
        // The exact binary value rounded to 17 significant digits, as glibc does.
        BigDecimal rounded = new BigDecimal(value).round(SIGNIFICANT);
        String digits = rounded.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - rounded.scale();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--; // %g drops trailing zeros
        }
        digits = digits.substring(0, end);

        StringBuilder out = new StringBuilder(24);
        if (value < 0) {
            out.append('-');
        }
        if (exponent < -4 || exponent >= PRECISION) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int magnitude = Math.abs(exponent);
            if (magnitude < 10) {
                out.append('0');
            }
            out.append(magnitude);
        } else if (exponent < 0) {
            out.append("0.");
            out.repeat('0', -exponent - 1);
            out.append(digits);
        } else if (digits.length() <= exponent + 1) {
            out.append(digits);
            out.repeat('0', exponent + 1 - digits.length());
        } else {
            out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
        }
        return out.toString();
    }
}
