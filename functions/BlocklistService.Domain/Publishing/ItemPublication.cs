namespace BlocklistService.Domain.Publishing;

/// <summary>What a version did with one journaled item. Wire names are kebab-case.</summary>
public enum PublicationOutcome
{
    /// <summary>The item's backing change took effect in this version.</summary>
    Applied,

    /// <summary>A remove by a hotline that did not back the entry: nothing changed.</summary>
    NotBacked,
}

/// <summary>The version that published a submission item for a list, and what it did.</summary>
public sealed record ItemPublication(string SubmissionId, int Index, string List, long Version, PublicationOutcome Outcome);
