namespace BlocklistService.Storage.Tables;

/// <summary>A table, as returned by create.</summary>
public sealed record TableItem(string Name);
