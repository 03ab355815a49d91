package dev.lathe.core.report;

/**
 * What an instance costs per hour, to turn measured throughput into money.
 *
 * @param pricePerInstanceHour price of one instance-hour
 * @param currency             ISO currency code
 * @param source               where the price comes from, shown in reports
 */
public record Pricing(double pricePerInstanceHour, String currency, String source) {

    /**
     * The default: 0.1785 USD per hour, the AWS on-demand list price of a c7i.xlarge (4 vCPU, 8 GiB, Linux,
     * us-east-1) as published by AWS in 2024; a typical small CPU inference host. Override it with your
     * own price.
     */
    public static final Pricing DEFAULT = new Pricing(0.1785, "USD",
            "AWS on-demand c7i.xlarge (4 vCPU, Linux, us-east-1), 2024 list price");

    /** Validates the price. */
    public Pricing {
        if (!(pricePerInstanceHour > 0) || Double.isInfinite(pricePerInstanceHour)) {
            throw new IllegalArgumentException("price per instance-hour must be a positive number, got " + pricePerInstanceHour);
        }
    }

    /** A user-given price in USD. */
    public static Pricing perHour(double usd) {
        return new Pricing(usd, "USD", "user-given price");
    }
}
