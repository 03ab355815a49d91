package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.testing.TestModels;
import org.junit.jupiter.api.Test;

/** Tensor protos in every storage field ONNX allows decode to the same raw bytes; encoding writes raw_data. */
class TensorCodecTest {
    private final OnnxModel model = TestModels.mlp();

    private static TensorProto.Builder tensor(DataType type, long... dims) {
        TensorProto.Builder builder = TensorProto.newBuilder().setName("t").setDataType(type.code());
        for (long dim : dims) {
            builder.addDims(dim);
        }
        return builder;
    }

    @Test
    void encodeWritesRawDataThatDecodesToTheSameData() throws Exception {
        TensorData data = TensorData.ofFloats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);

        TensorProto proto = TensorCodec.encode("w", data);

        assertThat(proto.getName()).isEqualTo("w");
        assertThat(proto.getDataType()).isEqualTo(DataType.FLOAT.code());
        assertThat(proto.getDimsList()).containsExactly(2L, 3L);
        assertThat(proto.getRawData().size()).isEqualTo(24);
        assertThat(proto.getFloatDataCount()).isZero();
        assertThat(TensorCodec.shapeOf(proto)).containsExactly(2, 3);
        assertThat(model.tensorData(proto)).isEqualTo(data);
        assertThat(OnnxModel.storedBytes(proto)).isEqualTo(24);
    }

    @Test
    void typedFieldsDecodeLikeRawData() throws Exception {
        assertThat(model.tensorData(tensor(DataType.FLOAT, 2).addFloatData(1.5f).addFloatData(-2f).build()))
                .isEqualTo(TensorData.ofFloats(new long[] {2}, 1.5f, -2f));
        assertThat(model.tensorData(tensor(DataType.DOUBLE, 1).addDoubleData(0.25).build()))
                .isEqualTo(TensorData.ofDoubles(new long[] {1}, 0.25));
        assertThat(model.tensorData(tensor(DataType.INT64, 2).addInt64Data(-1).addInt64Data(1L << 40).build()))
                .isEqualTo(TensorData.ofLongs(new long[] {2}, -1, 1L << 40));
        assertThat(model.tensorData(tensor(DataType.INT32, 2).addInt32Data(-7).addInt32Data(9).build()))
                .isEqualTo(TensorData.ofInts(new long[] {2}, -7, 9));
        assertThat(model.tensorData(tensor(DataType.BOOL, 2).addInt32Data(1).addInt32Data(0).build()))
                .isEqualTo(TensorData.ofBooleans(new long[] {2}, true, false));
        assertThat(model.tensorData(tensor(DataType.INT8, 2).addInt32Data(-3).addInt32Data(4).build()).toLongArray())
                .containsExactly(-3, 4);
        assertThat(model.tensorData(tensor(DataType.UINT8, 1).addInt32Data(250).build()).toLongArray()).containsExactly(250);
    }

    @Test
    void sixteenBitFloatsAreStoredAsBitPatternsInInt32Data() throws Exception {
        TensorData half = model.tensorData(tensor(DataType.FLOAT16, 2).addInt32Data(0x3c00).addInt32Data(0xc000).build());
        assertThat(half.toFloatArray()).containsExactly(1f, -2f);

        TensorData brain = model.tensorData(tensor(DataType.BFLOAT16, 1).addInt32Data(0x3f80).build());
        assertThat(brain.toFloatArray()).containsExactly(1f);
    }

    @Test
    void unsignedWideIntegersAreStoredInUint64Data() throws Exception {
        assertThat(model.tensorData(tensor(DataType.UINT32, 1).addUint64Data(0xffffffffL).build()).toLongArray())
                .containsExactly(0xffffffffL);
        assertThat(model.tensorData(tensor(DataType.UINT64, 1).addUint64Data(-1L).build()).toDoubleArray())
                .containsExactly(0x1p64);
    }

    @Test
    void fourBitIntegersArePackedTwoPerInt32DataEntry() throws Exception {
        TensorData data = model.tensorData(tensor(DataType.INT4, 3).addInt32Data(0x9f).addInt32Data(0x01).build());

        assertThat(data.toByteArray()).containsExactly(-1, -7, 1);
        assertThat(data).isEqualTo(TensorData.ofSmallValues(DataType.INT4, new long[] {3}, -1, -7, 1));
    }

    @Test
    void anEmptyTensorNeedsNoStoredValues() throws Exception {
        assertThat(model.tensorData(tensor(DataType.FLOAT, 0, 4).build()).elementCount()).isZero();
    }
}
