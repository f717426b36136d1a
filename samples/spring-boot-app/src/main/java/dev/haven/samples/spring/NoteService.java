package dev.haven.samples.spring;

import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Notes: reads in read-only transactions (a replica), writes in read-write ones (the primary). */
@Service
public class NoteService {

    private final NoteRepository notes;
    private final ServerIdentity server;

    public NoteService(NoteRepository notes, ServerIdentity server) {
        this.notes = notes;
        this.server = server;
    }

    @Transactional(readOnly = true)
    public Served<List<Note>> latest(int limit) {
        return new Served<>(server.serverId(), notes.findByOrderByIdDesc(Limit.of(limit)));
    }

    @Transactional(readOnly = true)
    public Served<Optional<Note>> find(long id) {
        return new Served<>(server.serverId(), notes.findById(id));
    }

    @Transactional
    public Served<Note> create(String text) {
        Note note = notes.save(new Note(text));
        return new Served<>(server.serverId(), note);
    }
}
