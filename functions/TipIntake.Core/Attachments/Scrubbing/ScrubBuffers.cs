using System.Buffers;

namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>
/// The bytes of the image read ahead from the request: at most <see cref="Capacity"/>, enough for any whole JPEG segment
/// (64 KiB) and any PNG chunk that is inspected rather than passed through. Cleared when returned: it holds plaintext.
/// </summary>
internal sealed class ScrubInput(Stream source) : IDisposable
{
    public const int Capacity = 128 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(Capacity);
    private int _start;
    private int _end;
    private bool _ended;

    public ReadOnlySpan<byte> Available => _buffer.AsSpan(_start, _end - _start);

    public int Count => _end - _start;

    /// <summary>Reads until <paramref name="count"/> bytes are at hand or the image ends; whether they are.</summary>
    public async ValueTask<bool> EnsureAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity);
        while (Count < count && !_ended)
        {
            if (Capacity - _end < count - Count)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, Count);
                (_start, _end) = (0, Count);
            }

            var read = await source.ReadAsync(_buffer.AsMemory(_end, Capacity - _end), cancellationToken).ConfigureAwait(false);
            _end += read;
            _ended = read == 0;
        }

        return Count >= count;
    }

    public void Skip(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        _start += count;
    }

    public void Dispose()
    {
        Array.Clear(_buffer);
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}

/// <summary>The cleaned bytes made by one step of a scrubber, waiting to be read. Cleared when returned.</summary>
internal sealed class ScrubOutput : IDisposable
{
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(2 * ScrubInput.Capacity);
    private int _start;
    private int _end;

    public bool IsEmpty => _start == _end;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (IsEmpty)
        {
            (_start, _end) = (0, 0);
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    public int ReadInto(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    public void Dispose()
    {
        Array.Clear(_buffer);
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
