;;; check-eglot.el --- run lsp-complete-eglot.el in a real (batch) Emacs  -*- lexical-binding: t; -*-
;; Used by check.sh eglot (which starts the fake provider and sets PATH/LSP_COMPLETE_CONFIG):
;;   emacs --batch -q -l check-eglot.el FILE.py
;; Loads the user snippet, starts the server through its `eglot-server-programs' entry, asks
;; completion-at-point at the end of the file, runs the docstring command (lsp-complete-eglot-command)
;; and the "Add docstring" code action, and checks that both edits land.

(package-initialize)
(require 'eglot)
(load (expand-file-name "lsp-complete-eglot.el" (file-name-directory load-file-name)) nil t)

(defun check--fail (fmt &rest args)
  (princ (concat "FAIL: " (apply #'format fmt args) "\n"))
  (kill-emacs 1))

(defun check--wait (pred what)
  (let ((deadline (+ (float-time) 20)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or (funcall pred) (check--fail "timed out waiting for %s" what))))

;; Batch Emacs cannot answer eglot's "Server wants to edit ... Proceed?" question.
(setq eglot-confirm-server-initiated-edits nil)

(let ((file (car command-line-args-left)))
  (find-file file)
  (python-mode)
  (apply #'eglot (eglot--guess-contact))     ; what `eglot-ensure' does, from our entry
  (check--wait (lambda () (eglot-current-server)) "the server")
  (princ (format "server: %s\n" (plist-get (eglot--server-info (eglot-current-server)) :name)))
  ;; Completion at the end of "total = ".
  (goto-char (point-max))
  (let* ((capf (eglot-completion-at-point))
         (items (and capf (all-completions "" (nth 2 capf)))))
    (unless (member "compute_total(items)" items)
      (check--fail "completion-at-point items: %S" items))
    (princ (format "completion-at-point: %S\n" (mapcar #'substring-no-properties items))))
  ;; The docstring command on the function (lines 1-2), through eglot-execute-command.
  (goto-char (point-min))
  (push-mark (save-excursion (forward-line 2) (point)) t t)
  (lsp-complete-eglot-command "docstring")
  (check--wait (lambda () (save-excursion (goto-char (point-min)) (search-forward "Return the sum" nil t)))
               "the docstring edit")
  ;; The "Add docstring" code action on `sub' (its kind is refactor.rewrite, so it runs without a menu).
  (goto-char (point-min))
  (search-forward "return a - b")
  (eglot-code-actions (point) (point) "refactor.rewrite" t)
  (check--wait (lambda () (save-excursion (goto-char (point-min)) (search-forward "Return a minus b" nil t)))
               "the code action's edit")
  (princ (format "buffer after the command and the code action:\n%s\n" (buffer-string)))
  (princ "OK\n")
  (kill-emacs 0))
