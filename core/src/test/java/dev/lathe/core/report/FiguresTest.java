package dev.lathe.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FiguresTest {

    @Test
    void countsAndSizes() {
        assertThat(Figures.count(999)).isEqualTo("999");
        assertThat(Figures.count(1_434_451_968L)).isEqualTo("1.43 G");
        assertThat(Figures.count(22_565_428)).isEqualTo("22.57 M");
        assertThat(Figures.exact(1_434_451_968L)).isEqualTo("1,434,451,968");
        assertThat(Figures.bytes(312)).isEqualTo("312 B");
        assertThat(Figures.bytes(602_112)).isEqualTo("602.1 kB");
        assertThat(Figures.bytes(90_387_606)).isEqualTo("90.39 MB");
        assertThat(Figures.bytes(-1)).isEqualTo("not measured");
    }

    @Test
    void ratiosAndChangesCarrySignsAndTimes() {
        assertThat(Figures.ratio(100, 25)).isEqualTo("0.25×");
        assertThat(Figures.change(100, 25)).isEqualTo("−75.0 %");
        assertThat(Figures.change(41.5, 96.2)).isEqualTo("+131.8 %");
        assertThat(Figures.change(100, 99.99)).isEqualTo("0.0 %");
        assertThat(Figures.ratio(0, 5)).isEqualTo("—");
        assertThat(Figures.change(0, 5)).isEqualTo("—");
        assertThat(Figures.pointChange(0, 0.25)).isEqualTo("+25.0 pp");
        assertThat(Figures.percent(-3)).isEqualTo("−3.0 %");
        assertThat(Figures.percent(-0.01)).isEqualTo("0.0 %");
    }

    @Test
    void measuredValues() {
        assertThat(Figures.cosine(0.99871)).isEqualTo("0.998710");
        assertThat(Figures.significant(0.0412)).isEqualTo("0.0412");
        assertThat(Figures.significant(0.123456)).isEqualTo("0.1235");
        assertThat(Figures.significant(3.15e-5)).isEqualTo("3.150e-05");
        assertThat(Figures.significant(-2.5)).isEqualTo("−2.5");
        assertThat(Figures.significant(0)).isEqualTo("0");
        assertThat(Figures.millis(23.8)).isEqualTo("23.80 ms");
        assertThat(Figures.throughput(41.5)).isEqualTo("41.5/s");
        assertThat(Figures.money(1.194779, "USD")).isEqualTo("1.1948 USD");
    }

    @Test
    void figuresWithTheirExactValue() {
        assertThat(Figures.countAndExact(1_434_451_968)).isEqualTo("1.43 G (1,434,451,968)");
        assertThat(Figures.countAndExact(60)).isEqualTo("60");
        assertThat(Figures.bytesAndExact(90_387_606)).isEqualTo("90.39 MB (90,387,606 bytes)");
        assertThat(Figures.bytesAndExact(312)).isEqualTo("312 B");
    }
}
