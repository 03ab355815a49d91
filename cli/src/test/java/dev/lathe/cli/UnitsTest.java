package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void countsScaleToTheLargestFittingUnit() {
        assertThat(Units.scaled(999)).isEqualTo("999");
        assertThat(Units.scaled(22_565_880)).isEqualTo("22.57 M");
        assertThat(Units.scaled(1_434_451_968)).isEqualTo("1.43 G");
        assertThat(Units.count(1_434_451_968)).isEqualTo("1.43 G (1,434,451,968)");
        assertThat(Units.count(60)).isEqualTo("60");
    }

    @Test
    void sizesAreDecimalMegabytesWithExactBytes() {
        assertThat(Units.megabytes(90_387_606)).isEqualTo("90.39 MB (90,387,606 bytes)");
    }

    @Test
    void fractionsArePercentages() {
        assertThat(Units.percent(0.2)).isEqualTo("20.00 %");
    }

    @Test
    void timesRatesAndRatiosHaveTheirUnits() {
        assertThat(Units.millis(12.3456)).isEqualTo("12.346 ms");
        assertThat(Units.perSecond(1234.56)).isEqualTo("1,234.6 /s");
        assertThat(Units.ratio(0.5249)).isEqualTo("0.52x");
        assertThat(Units.roundedMegabytes(90_387_606)).isEqualTo("90.39 MB");
    }

    @Test
    void sizesTakeTheLargestFittingDecimalUnit() {
        assertThat(Units.size(90_387_606)).isEqualTo("90.39 MB");
        assertThat(Units.size(12_345)).isEqualTo("12.3 kB");
        assertThat(Units.size(312)).isEqualTo("312 B");
    }

    @Test
    void decimalsAndMoneyHaveFixedDigits() {
        assertThat(Units.decimal(0.99987123)).isEqualTo("0.999871");
        assertThat(Units.money(1.19484, "USD")).isEqualTo("1.1948 USD");
    }
}
