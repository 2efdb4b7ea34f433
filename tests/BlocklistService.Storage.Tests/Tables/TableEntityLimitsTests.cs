using BlocklistService.Storage.Tables;

namespace BlocklistService.Storage.Tests.Tables;

public sealed class TableEntityLimitsTests
{
    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\tb")]
    [InlineData("a\u0085b")]
    public void Keys_with_forbidden_characters_are_refused_with_the_character_named(string key)
    {
        var error = Assert.Throws<ArgumentException>(() => TableEntityLimits.Validate(new TableEntity("p", key)));
        Assert.Contains("RowKey", error.Message);
        Assert.Contains($"U+{(int)key[1]:X4}", error.Message);
    }

    [Fact]
    public void Keys_longer_than_1_KiB_are_refused()
    {
        TableEntityLimits.Validate(new TableEntity(new string('k', 512), "r"));
        Assert.Contains("at most 512", Assert.Throws<ArgumentException>(() => TableEntityLimits.Validate(new TableEntity(new string('k', 513), "r"))).Message);
    }

    [Fact]
    public void Strings_over_64_KiB_are_refused_naming_the_property()
    {
        TableEntityLimits.Validate(new TableEntity("p", "r") { ["Body"] = new string('x', 32 * 1024) });
        var error = Assert.Throws<ArgumentException>(() => TableEntityLimits.Validate(new TableEntity("p", "r") { ["Body"] = new string('x', (32 * 1024) + 1) }));
        Assert.Contains("'Body'", error.Message);
        Assert.Contains("64 KiB", error.Message);
    }

    [Fact]
    public void More_than_252_properties_are_refused()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 252; i++)
        {
            entity[$"P{i}"] = i;
        }

        TableEntityLimits.Validate(entity);
        entity["P252"] = 1;
        Assert.Contains("253 properties", Assert.Throws<ArgumentException>(() => TableEntityLimits.Validate(entity)).Message);
    }

    [Fact]
    public void Entities_over_1_MiB_are_refused()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 16; i++)
        {
            entity[$"B{i}"] = new byte[60 * 1024];
        }

        TableEntityLimits.Validate(entity);
        entity["B16"] = new byte[60 * 1024];
        entity["B17"] = new byte[60 * 1024];
        Assert.Contains("1 MiB", Assert.Throws<ArgumentException>(() => TableEntityLimits.Validate(entity)).Message);
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("odata.type")]
    [InlineData("")]
    public void Invalid_property_names_are_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => TableEntityLimits.Validate(new TableEntity("p", "r") { [name] = "v" }));
        Assert.Contains("Property name", error.Message);
    }

    [Fact]
    public void Unsupported_value_types_are_refused_naming_the_property()
    {
        var error = Assert.Throws<ArgumentException>(() => TableEntityLimits.Validate(new TableEntity("p", "r") { ["When"] = TimeSpan.Zero }));
        Assert.Contains("'When'", error.Message);
        Assert.Contains("TimeSpan", error.Message);
    }
}
