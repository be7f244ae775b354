using Azure.Storage.Queues.Models;
using TipIntake.Core.Processing;

namespace TipIntake.Functions.Functions;

/// <summary>The translation both queue functions share: a queue message in, the queue's behaviour out.</summary>
internal static class QueueMessages
{
    public static InboundMessage ToInbound(QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new InboundMessage(message.MessageId, message.Body.ToMemory(), message.DequeueCount);
    }

    /// <summary>
    /// Returning completes the message (stored, quarantined, or deferred: its copy is already back on a lane);
    /// throwing makes the queue deliver it again (and poison it in the end).
    /// </summary>
    public static void CompleteOrThrow(ProcessingOutcome outcome)
    {
        if (outcome is ProcessingOutcome.RetryLater retry)
        {
            throw new RetryLaterException(retry.Reason);
        }
    }
}
