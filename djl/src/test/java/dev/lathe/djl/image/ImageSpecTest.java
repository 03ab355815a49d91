package dev.lathe.djl.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.djl.image.ImageSpec.ChannelOrder;
import dev.lathe.djl.image.ImageSpec.Layout;
import org.junit.jupiter.api.Test;

class ImageSpecTest {

    @Test
    void defaultsAreImageNetRgbNchwWithoutSize() {
        ImageSpec spec = ImageSpec.parse("");
        assertThat(spec).isEqualTo(ImageSpec.defaults());
        assertThat(spec.hasSize()).isFalse();
        assertThat(spec.mean()).containsExactly(0.485f, 0.456f, 0.406f);
        assertThat(spec.std()).containsExactly(0.229f, 0.224f, 0.225f);
        assertThat(spec.scale()).isEqualTo(255f);
        assertThat(spec.order()).isEqualTo(ChannelOrder.RGB);
        assertThat(spec.layout()).isEqualTo(Layout.NCHW);
    }

    @Test
    void parsesEveryKeyAndRoundTrips() {
        ImageSpec spec = ImageSpec.parse("size=640x480, mean=0.5/0.5/0.5,std=0.25/0.5/1,order=BGR,layout=nhwc,scale=1");
        assertThat(spec.width()).isEqualTo(640);
        assertThat(spec.height()).isEqualTo(480);
        assertThat(spec.mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(spec.std()).containsExactly(0.25f, 0.5f, 1f);
        assertThat(spec.order()).isEqualTo(ChannelOrder.BGR);
        assertThat(spec.layout()).isEqualTo(Layout.NHWC);
        assertThat(spec.scale()).isEqualTo(1f);
        assertThat(ImageSpec.parse(spec.toString())).isEqualTo(spec);
        assertThat(ImageSpec.parse("size=224").width()).isEqualTo(224);
        assertThat(ImageSpec.parse("size=224").height()).isEqualTo(224);
    }

    @Test
    void errorsNameTheKeyAndTheValidOnes() {
        assertThatThrownBy(() -> ImageSpec.parse("colour=rgb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key \"colour\"")
                .hasMessageContaining("size=WxH").hasMessageContaining("layout=nchw|nhwc");
        assertThatThrownBy(() -> ImageSpec.parse("order=rbg"))
                .hasMessageContaining("order=rbg").hasMessageContaining("[rgb, bgr]");
        assertThatThrownBy(() -> ImageSpec.parse("size=224x"))
                .hasMessageContaining("size=224x").hasMessageContaining("WIDTHxHEIGHT");
        assertThatThrownBy(() -> ImageSpec.parse("size=0x32")).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> ImageSpec.parse("mean=0.5/0.5")).hasMessageContaining("mean=0.5/0.5")
                .hasMessageContaining("three numbers");
        assertThatThrownBy(() -> ImageSpec.parse("std=1/0/1")).hasMessageContaining("std")
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> ImageSpec.parse("scale=abc")).hasMessageContaining("scale")
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> ImageSpec.parse("size=32x32,size=64x64")).hasMessageContaining("\"size\" given twice");
        assertThatThrownBy(() -> ImageSpec.parse("layout")).hasMessageContaining("not key=value");
    }
}
