namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Called between the steps of a publish with the step's name, so tests can stop a publisher at any point. Absent in
/// production.
/// </summary>
public interface IPublishFaults
{
    void AtStep(string list, string step);
}
