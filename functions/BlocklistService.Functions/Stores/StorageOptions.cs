using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// Where the tables and blobs live (section <c>Storage</c>). Either a connection string (Azurite, development) or
/// endpoints reached with a managed identity (Azure).
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary><c>Storage:ConnectionString</c>; wins when set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// <c>Storage:TableEndpoint</c>: e.g. https://{account}.table.core.windows.net, reached with a managed identity
    /// (<c>DefaultAzureCredential</c>; <c>AZURE_CLIENT_ID</c> selects a user-assigned one). Used when no connection string is set.
    /// </summary>
    public Uri? TableEndpoint { get; set; }

    /// <summary><c>Storage:BlobEndpoint</c>: the blob endpoint beside <see cref="TableEndpoint"/> (used by the publisher).</summary>
    public Uri? BlobEndpoint { get; set; }

    /// <summary><c>Storage:TablePrefix</c>: prepended to every table name (tests isolate themselves with it).</summary>
    [RegularExpression("^[a-z][a-z0-9]{0,20}$|^$")]
    public string TablePrefix { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) && TableEndpoint is null)
        {
            yield return new ValidationResult(
                "set Storage:ConnectionString (development) or Storage:TableEndpoint (Azure, managed identity)",
                [nameof(ConnectionString), nameof(TableEndpoint)]);
        }
    }
}
