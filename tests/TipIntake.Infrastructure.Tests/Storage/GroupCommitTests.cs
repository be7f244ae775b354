using System.Collections.Concurrent;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Infrastructure.Tests.Storage;

/// <summary>
/// The group commit under the stamp spends and the index's set writes: what arrives while a key is being written goes
/// into its next batch together, a batch holds what fits, a failed write is answered and the writer goes on, and a key
/// with nothing left to write leaves nothing behind.
/// </summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<int[]> _batches = new();
    private readonly TaskCompletionSource _firstWriteHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writeStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<string>> _answers = new();

    [Fact]
    public async Task What_arrives_while_a_key_is_written_goes_into_its_next_batch_together_as_far_as_it_fits()
    {
        var commit = new GroupCommit<int>(WriteAsync, Fail, (batch, _) => batch.Count < 3);

        Add(commit, "k", 1);
        await _writeStarted.Task.WaitAsync(Deadline); // the writer has taken its first batch: [1]
        foreach (var item in new[] { 2, 3, 4, 5, 6 })
        {
            Add(commit, "k", item);
        }

        _firstWriteHeld.SetResult();
        await AnswersAsync(1, 6);

        Assert.Equal([[1], [2, 3, 4], [5, 6]], _batches.ToArray());
        await WaitUntilAsync(() => commit.KeysWriting == 0);
    }

    [Fact]
    public async Task Keys_are_written_apart_and_a_key_written_again_later_gets_a_new_writer()
    {
        _firstWriteHeld.SetResult();
        var commit = new GroupCommit<int>(WriteAsync, Fail, (_, _) => true);

        Add(commit, "a", 1);
        Add(commit, "b", 2);
        await AnswersAsync(1, 2);
        await WaitUntilAsync(() => commit.KeysWriting == 0);
        Add(commit, "a", 3);
        await AnswersAsync(3, 3);

        Assert.Equal(["a:1", "b:2", "a:3"], [await _answers[1].Task, await _answers[2].Task, await _answers[3].Task]);
        await WaitUntilAsync(() => commit.KeysWriting == 0);
    }

    [Fact]
    public async Task A_write_that_throws_fails_its_batch_and_the_next_batch_is_still_written()
    {
        var commit = new GroupCommit<int>(
            async (key, batch) =>
            {
                await _firstWriteHeld.Task;
                if (batch.Contains(1))
                {
                    throw new InvalidOperationException("storage said no");
                }

                await WriteAsync(key, batch);
            },
            Fail,
            (batch, _) => batch.Count < 1);

        Add(commit, "k", 1);
        Add(commit, "k", 2);
        _firstWriteHeld.SetResult();

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => _answers[1].Task.WaitAsync(Deadline));
        Assert.Equal("storage said no", failed.Message);
        Assert.Equal("k:2", await _answers[2].Task.WaitAsync(Deadline));
        await WaitUntilAsync(() => commit.KeysWriting == 0);
    }

    private void Add(GroupCommit<int> commit, string key, int item)
    {
        _answers[item] = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        commit.Add(key, item);
    }

    private async Task WriteAsync(string key, List<int> batch)
    {
        _writeStarted.TrySetResult();
        await _firstWriteHeld.Task;
        _batches.Enqueue([.. batch]);
        batch.ForEach(item => _answers[item].SetResult($"{key}:{item}"));
    }

    private void Fail(List<int> batch, Exception exception) => batch.ForEach(item => _answers[item].SetException(exception));

    private Task<string[]> AnswersAsync(int from, int to) =>
        Task.WhenAll(Enumerable.Range(from, to - from + 1).Select(item => _answers[item].Task)).WaitAsync(Deadline);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "The condition did not hold before the deadline.");
            await Task.Delay(10);
        }
    }
}
