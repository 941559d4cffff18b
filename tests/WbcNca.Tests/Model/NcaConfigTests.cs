using WbcNca.Model;

namespace WbcNca.Tests.Model;

public class NcaConfigTests
{
    [Fact]
    public void Paper_preset_carries_the_papers_defaults()
    {
        var c = NcaConfig.FromPreset("paper");
        Assert.Equal((128, 128, 64, 64, 0.5, 128, 13, 3), (c.Channels, c.HiddenSize, c.Steps, c.ImageSize, c.UpdateProbability, c.ClassifierHidden, c.NumClasses, c.ColorChannels));
    }

    [Fact]
    public void Compact_preset_is_the_small_cpu_model()
    {
        var c = NcaConfig.FromPreset("Compact");
        Assert.Equal((32, 64, 32, 32), (c.Channels, c.HiddenSize, c.Steps, c.ImageSize));
    }

    [Fact]
    public void Wide_preset_is_the_compact_model_with_a_twice_wider_update_rule()
    {
        var c = NcaConfig.FromPreset("wide");
        Assert.Equal((32, 128, 32, 32), (c.Channels, c.HiddenSize, c.Steps, c.ImageSize));
        Assert.Equal(NcaConfig.Compact with { HiddenSize = 128 }, c);
        Assert.Equal(c, NcaConfig.FromPreset(NcaConfig.DefaultPreset));
    }

    [Fact]
    public void Unknown_preset_is_rejected_with_the_known_names()
    {
        var e = Assert.Throws<ArgumentException>(() => NcaConfig.FromPreset("huge"));
        Assert.Contains("paper", e.Message);
        Assert.Contains("compact", e.Message);
        Assert.Contains("wide", e.Message);
    }

    [Fact]
    public void Config_survives_a_json_round_trip()
    {
        var c = NcaConfig.Compact with { UpdateProbability = 0.25, NumClasses = 6 };
        string json = c.ToJson();
        Assert.Contains("\"update_probability\":0.25", json);
        Assert.Equal(c, NcaConfig.FromJson(json));
    }

    [Theory]
    [InlineData("{\"channels\":3}")]
    [InlineData("{\"update_probability\":0}")]
    [InlineData("{\"update_probability\":1.5}")]
    [InlineData("{\"num_classes\":1}")]
    public void Invalid_config_values_are_rejected(string json) =>
        Assert.Throws<ArgumentException>(() => NcaConfig.FromJson(json));
}
