using BlocklistService.Storage.Tables;

namespace BlocklistService.Storage.Tests.Tables;

public sealed class TableQueryFilterTests
{
    [Fact]
    public void Values_become_typed_escaped_literals()
    {
        var when = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        string? nothing = null;
        Assert.Equal("Name eq 'O''Brien'", TableClient.CreateQueryFilter($"Name eq {"O'Brien"}"));
        Assert.Equal("Name eq 'Grüße 日本'", TableClient.CreateQueryFilter($"Name eq {"Grüße 日本"}"));
        Assert.Equal("When ge datetime'2024-05-06T05:08:09.0000000Z'", TableClient.CreateQueryFilter($"When ge {when}"));
        Assert.Equal("Id eq guid'0f8fad5b-d9cb-469f-a165-70867728950e'", TableClient.CreateQueryFilter($"Id eq {id}"));
        Assert.Equal("N eq 42L and I eq 7 and D eq 2.0 and E eq 0.25", TableClient.CreateQueryFilter($"N eq {42L} and I eq {7} and D eq {2.0} and E eq {0.25}"));
        Assert.Equal("On eq true and Off eq false", TableClient.CreateQueryFilter($"On eq {true} and Off eq {false}"));
        Assert.Equal("B eq X'00ff10'", TableClient.CreateQueryFilter($"B eq {new byte[] { 0, 255, 16 }}"));
        Assert.Equal("S eq null", TableClient.CreateQueryFilter($"S eq {nothing}"));
    }

    [Fact]
    public void An_injection_attempt_stays_inside_one_string_literal()
    {
        var hostile = "x' or PartitionKey ne '";
        Assert.Equal("RowKey eq 'x'' or PartitionKey ne '''", TableClient.CreateQueryFilter($"RowKey eq {hostile}"));
    }

    [Fact]
    public void Unsupported_values_and_formats_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TableClient.CreateQueryFilter($"X eq {new object()}"));
        Assert.Throws<ArgumentException>(() => TableClient.CreateQueryFilter($"X eq {double.NaN}"));
        Assert.Throws<ArgumentException>(() => TableClient.CreateQueryFilter($"X eq {"a":x}"));
        Assert.Equal("X eq 00007", TableClient.CreateQueryFilter($"X eq {7:D5}"));
    }
}
